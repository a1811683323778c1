// Child process for the cross-process claim test: claims jobs one at a time until none are left, then prints
// the ids it got as JSON. Run with `node --require tsx/cjs claim-worker.ts <db> <hexKey> <owner> <workers>`.
// The workers wait for each other (ready files beside the db) so they really compete.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SqliteStore } from '../sqlite-store';

async function main(): Promise<void> {
  const [dbPath, hexKey, owner, workers] = process.argv.slice(2) as [string, string, string, string];
  const store = new SqliteStore({ path: dbPath, encryptionKey: Buffer.from(hexKey, 'hex') });
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}.ready.`;
  writeFileSync(join(dir, prefix + owner), '');
  const ready = () => readdirSync(dir).filter((f) => f.startsWith(prefix)).length;
  while (ready() < Number(workers) && existsSync(dir)) await new Promise((r) => setTimeout(r, 5));
  const ids: number[] = [];
  for (;;) {
    const jobs = await store.jobs.claimJobs({ owner, leaseMs: 60_000, limit: 2 });
    if (jobs.length === 0) break;
    await new Promise((r) => setTimeout(r, 3)); // "work", and a chance for the other process to claim
    for (const job of jobs) {
      ids.push(job.id);
      await store.jobs.completeJob(job.id, owner, { by: owner });
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify(ids));
}

void main();
