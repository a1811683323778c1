/** Faults on demand: bursts of 5xx answers and a request-limit switch, consulted on every REST request. */
export interface ServerErrorBurst {
  /** how many requests fail */
  count: number;
  status?: number;
  errorCode?: string;
  message?: string;
  /** only requests whose path contains this fail (e.g. '/composite/sobjects') */
  pathIncludes?: string;
}

export class Faults {
  private bursts: { count: number; status: number; errorCode: string; message: string; pathIncludes?: string }[] = [];

  serverErrors(burst: ServerErrorBurst): void {
    this.bursts.push({
      count: burst.count,
      status: burst.status ?? 503,
      errorCode: burst.errorCode ?? (burst.status === 500 ? 'UNKNOWN_EXCEPTION' : 'SERVER_UNAVAILABLE'),
      message:
        burst.message ??
        (burst.status === 500
          ? 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-1 (-1)'
          : 'Server temporarily unavailable. Please try again later.'),
      ...(burst.pathIncludes ? { pathIncludes: burst.pathIncludes } : {}),
    });
  }

  /** The fault this request should get, if any (consumes one from the matching burst). */
  take(path: string): { status: number; errorCode: string; message: string } | undefined {
    const burst = this.bursts.find((b) => b.count > 0 && (!b.pathIncludes || path.includes(b.pathIncludes)));
    if (!burst) return undefined;
    burst.count--;
    this.bursts = this.bursts.filter((b) => b.count > 0);
    return { status: burst.status, errorCode: burst.errorCode, message: burst.message };
  }

  clear(): void {
    this.bursts = [];
  }
}
