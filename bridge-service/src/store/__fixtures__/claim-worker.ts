// Child process for the cross-process claim test: claims jobs one at a time until none are left, then prints
// the ids it got as JSON. Run with `node --require tsx/cjs claim-worker.ts <db> <hexKey> <owner> <startAt>`.
import { SqliteStore } from '../sqlite-store';

async function main(): Promise<void> {
  const [dbPath, hexKey, owner, startAt] = process.argv.slice(2) as [string, string, string, string];
  const store = new SqliteStore({ path: dbPath, encryptionKey: Buffer.from(hexKey, 'hex') });
  while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 5));
  const ids: number[] = [];
  for (;;) {
    const jobs = await store.claimJobs({ owner, leaseMs: 60_000, limit: 2 });
    if (jobs.length === 0) break;
    for (const job of jobs) {
      ids.push(job.id);
      await store.completeJob(job.id, owner, { by: owner });
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify(ids));
}

void main();
