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

/** Starts profiling; the function returned stops it and reads it. */
export async function startCpuProfile(label: string): Promise<() => Promise<CpuSplit>> {
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
    return { file, ...split(profile) };
  };
}

/** Charges every sample to an area and a first-party function (see the top of this file). */
export function split(profile: Profiler.Profile): Omit<CpuSplit, 'file'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areaHits = new Map<string, number>();
  const fnHits = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  const root = profile.nodes[0];
  if (!root) return { sampledSeconds: 0, byArea: {}, topFunctions: [] };
  // Depth-first, carrying the innermost first-party frame seen on the way down.
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
    const hits = node.hitCount ?? 0;
    if (hits > 0) {
      const bucket = special(node.callFrame) ?? (here === 'other' ? 'outside our code (runtime, libraries)' : here);
      add(areaHits, bucket, hits);
      if (where) add(fnHits, where, hits);
      total += hits;
    }
    for (const child of node.children ?? []) stack.push({ id: child, area: here, fn: where });
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
