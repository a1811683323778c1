/** Custom labels from force-app (labels/CustomLabels.labels-meta.xml), formatted like Apex String.format. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseXmlFile } from '../schema/metadata-loader';

export type Labels = (name: string, ...args: unknown[]) => string;

/**
 * Loads the package's labels (a project may have none). A label the mirrors ask for that force-app does not define
 * is an error, as an Apex reference to an unknown System.Label is (the mirror would otherwise show the label's name).
 */
export function loadLabels(forceAppDir: string): Labels {
  const path = join(forceAppDir, 'main', 'default', 'labels', 'CustomLabels.labels-meta.xml');
  const labels = new Map<string, string>();
  if (existsSync(path)) {
    const root = parseXmlFile(path).CustomLabels as
      { labels?: { fullName: string; value: string }[] | { fullName: string; value: string } } | undefined;
    const list = root?.labels ? (Array.isArray(root.labels) ? root.labels : [root.labels]) : [];
    for (const l of list) labels.set(String(l.fullName), String(l.value ?? ''));
  }
  return (name, ...args) => {
    const text = labels.get(name);
    if (text === undefined) throw new Error(`custom label ${name} is not in ${path}`);
    return text.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
  };
}
