/**
 * How the bridge's Node process is started in production (the Dockerfile's ENV, `npm start` in bridge-service), and
 * by the bench's memory section, so the memory it reports is the deployed process's. `test/container.test.ts` holds
 * the Dockerfile and the start script to these values.
 *
 * - Heap limit: V8 sizes its heap by allocation rate, not by what is live. With 100,000 jobs queued the live heap
 *   after a full collection is about 40 MB, yet under the intake's garbage V8 grew the heap to 240 MB before
 *   collecting hard, and RSS followed (bench memory section: 345 MB at 30,000 jobs without a limit, 230 MB with
 *   160 MB). Raise it (NODE_OPTIONS) for an org whose batches need more; running out shows in the log as
 *   "JavaScript heap out of memory" and the container restarts.
 * - Young generation: Node 24 lets V8's new space grow to 128 MB (two 64 MB semi-spaces, measured with the 160 MB
 *   limit; Node 20 stopped at 32 MB), and the pages it has used stay resident. The bench's smaps breakdown
 *   (memory-child.ts) put the SQLite run's RSS growth with the backlog there, in anonymous memory, while malloc's
 *   main arena and the store's files held flat: 252 → 300 MB from 10,000 to 50,000 jobs with Node's default, 203 →
 *   202 MB with 16 MB semi-spaces. A smaller young generation means more frequent scavenges, each cheaper; the
 *   intake's pace was the same (50,000 jobs stored in 121 s against 125 s).
 * - MALLOC_ARENA_MAX: glibc gives threads their own malloc arenas and keeps their freed pages, native memory that
 *   grew RSS with the backlog while the heap stayed flat; two arenas bound that.
 */
export const HEAP_LIMIT_MB = 160;
export const SEMI_SPACE_MB = 16;
export const MALLOC_ARENA_MAX = 2;

/** The Node flags the bridge runs with (NODE_OPTIONS in the Dockerfile). */
export const NODE_MEMORY_FLAGS: readonly string[] = [
  `--max-old-space-size=${HEAP_LIMIT_MB}`,
  `--max-semi-space-size=${SEMI_SPACE_MB}`,
];

/** The environment the bridge runs with besides its own settings. */
export const MEMORY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: String(MALLOC_ARENA_MAX) };
