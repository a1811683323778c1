/**
 * A CPU profile of the bench process (bridge, both emulators and the bench share it), taken with the inspector and
 * read as "who spent the CPU": each sample is charged to the innermost frame of our own code on its stack (the
 * bridge, the Salesforce emulator, the Xero emulator, the bench), so JSON.parse or Fastify work done for the
 * Salesforce emulator counts as the emulator's. The raw profile is written for Chrome DevTools / speedscope.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Profiler, Runtime } from 'node:inspector';

export interface CpuSplit {
  /** Where the raw .cpuprofile was written. */
  file: string;
  sampledSeconds: number;
  /** Share of samples (%) by area, largest first; 'idle' is the event loop waiting. */
  byArea: Record<string, number>;
  /** The first-party functions with the most samples charged to them (% of all samples). */
  topFunctions: { fn: string; share: number }[];
}

const AREAS: [RegExp, string][] = [
  [/\/bridge-service\/sandbox\/salesforce\//, 'Salesforce emulator'],
  [/\/bridge-service\/sandbox\/xero\//, 'Xero emulator'],
  [/\/bridge-service\/sandbox\//, 'sandbox (other)'],
  [/\/bridge-service\/src\//, 'bridge'],
  [/\/bridge-service\/bench\//, 'bench'],
];

function areaOf(frame: Runtime.CallFrame): string | undefined {
  for (const [pattern, area] of AREAS) if (pattern.test(frame.url)) return area;
  return undefined;
}

function special(frame: Runtime.CallFrame): string | undefined {
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (frame.functionName === '(program)') return 'runtime (program)';
  return undefined;
}

/** A profile taken: who spent the CPU over all of it, and over the samples at times `atUs` accepts. */
export interface TakenProfile {
  whole: CpuSplit;
  within: (atUs: (at: number) => boolean) => Omit<CpuSplit, 'file'>;
}

/** Starts profiling; the function returned stops it and reads it. */
export async function startCpuProfile(label: string): Promise<() => Promise<TakenProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const file = join(tmpdir(), `ledgerline-bench-${label}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { whole: { file, ...split(profile) }, within: (atUs) => split(profile, atUs) };
  };
}

/**
 * Charges every sample to an area and a first-party function (see the top of this file); with `within`, only the
 * samples taken at times (monotonic µs, the profile's clock) it accepts.
 */
export function split(profile: Profiler.Profile, within?: (atUs: number) => boolean): Omit<CpuSplit, 'file'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const root = profile.nodes[0];
  if (!root) return { sampledSeconds: 0, byArea: {}, topFunctions: [] };
  // Each node's bucket and innermost first-party function, depth-first, carrying the innermost one seen on the way.
  const charged = new Map<number, { bucket: string; where: string }>();
  const stack: { id: number; area: string; fn: string }[] = [{ id: root.id, area: 'other', fn: '' }];
  while (stack.length > 0) {
    const { id, area, fn } = stack.pop()!;
    const node = byId.get(id)!;
    const own = areaOf(node.callFrame);
    const here = own ?? area;
    const where = own
      ? // line numbers are tsx's compiled code's: the name and file are what reads
        `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/bridge-service\//, '')}`
      : fn;
    const bucket = special(node.callFrame) ?? (here === 'other' ? 'outside our code (runtime, libraries)' : here);
    charged.set(id, { bucket, where });
    for (const child of node.children ?? []) stack.push({ id: child, area: here, fn: where });
  }
  const areaHits = new Map<string, number>();
  const fnHits = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let total = 0;
  let at = profile.startTime;
  const samples = profile.samples ?? [];
  for (let i = 0; i < samples.length; i += 1) {
    at += profile.timeDeltas?.[i] ?? 0;
    if (within && !within(at)) continue;
    const { bucket, where } = charged.get(samples[i]!)!;
    add(areaHits, bucket);
    if (where) add(fnHits, where);
    total += 1;
  }
  const share = (n: number) => Math.round((n / Math.max(1, total)) * 1000) / 10;
  return {
    sampledSeconds: Math.round((profile.endTime - profile.startTime) / 1e4) / 100,
    byArea: Object.fromEntries([...areaHits].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, share(v)])),
    topFunctions: [...fnHits]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, n]) => ({ fn, share: share(n) })),
  };
}
