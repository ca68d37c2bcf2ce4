// A replica in a process of its own, for the multi-process claim test: claims jobs from the SQLite
// file until none is left, then prints the ids it got as JSON.
import { SqliteJobStore } from '../src/lib/sqlite/sqlite.job-store';

async function main(): Promise<void> {
  const [file, owner] = process.argv.slice(2);
  const store = new SqliteJobStore(file);
  const claimed: string[] = [];
  // Start together: the parent releases every worker at once through stdin.
  await new Promise((resolve) => process.stdin.once('data', resolve));
  for (;;) {
    const batch = await store.claimJobs(owner, 60_000, 3);
    if (batch.length === 0) break;
    claimed.push(...batch.map(({ job }) => job.id));
  }
  await store.close();
  process.stdout.write(JSON.stringify(claimed));
}

void main();
