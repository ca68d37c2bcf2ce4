// A replica in a process of its own, for the multi-process claim test: claims jobs from the SQLite
// file until none is left, then prints the ids it got as JSON.
import { SqliteJobStore } from '../src/lib/sqlite/sqlite.job-store';

async function main(): Promise<void> {
  const [file, owner] = process.argv.slice(2);
  const store = new SqliteJobStore(file);
  const claimed: string[] = [];
  // Start together: each says it is ready, and the parent releases them all at once through stdin.
  const go = new Promise((resolve) => process.stdin.once('data', resolve));
  process.stderr.write('ready\n');
  await go;
  for (;;) {
    const batch = await store.claimJobs(owner, 60_000, 3);
    if (batch.length === 0) break;
    claimed.push(...batch.map(({ job }) => job.id));
    // A turn for the others between claims, as a replica doing work between them would give.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await store.close();
  process.stdout.write(JSON.stringify(claimed));
}

void main();
