/** Failures the emulator can inject into Accounting calls. */
export type FaultKind = 'status' | 'hang' | 'slow' | 'drop-after-commit';

export interface FaultSpec {
  kind: FaultKind;
  /** For `status`: 500, 503 or any other code. */
  status?: number;
  /** For `slow`: real milliseconds added before the answer. */
  delayMs?: number;
  /** Apply to the next N matching calls (default: unlimited when `share` is set, else 1). */
  count?: number;
  /** Apply to this share (0..1) of matching calls. */
  share?: number;
  /** Only calls with this method and/or whose path contains this text. */
  method?: string;
  path?: string;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

export class FaultPlan {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  add(spec: FaultSpec): ActiveFault {
    if (spec.share !== undefined && (spec.share < 0 || spec.share > 1))
      throw new RangeError('share must be within 0..1');
    const fault: ActiveFault = {
      ...spec,
      id: this.nextId++,
      remaining: spec.count ?? (spec.share !== undefined ? Number.POSITIVE_INFINITY : 1),
    };
    this.faults.push(fault);
    return fault;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault (if any) that hits this call; consumes one use of it. */
  pick(method: string, path: string): ActiveFault | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.path !== undefined && !path.toLowerCase().includes(fault.path.toLowerCase())) continue;
      if (fault.share !== undefined && this.random() >= fault.share) continue;
      fault.remaining--;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return fault;
    }
    return undefined;
  }
}

/** Deterministic PRNG (mulberry32) so fault shares replay identically in tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
