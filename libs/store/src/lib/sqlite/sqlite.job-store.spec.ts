import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobLeaseContract } from '../../../test/job-lease.contract';
import { makeJob } from '../../../test/job-fixtures';
import { describeJobStoreContract } from '../../../test/job-store.contract';
import { SqliteJobStore } from './sqlite.job-store';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A database file of its own in a new folder, removed after the suite. */
function newDatabaseFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'aim-sqlite-'));
  folders.push(folder);
  return join(folder, 'marketplace.sqlite');
}

describeJobStoreContract('sqlite file', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'aim-sqlite-'));
  folders.push(folder);
  return new SqliteJobStore(join(folder, 'nested', 'marketplace.sqlite'));
});

describe('SqliteJobStore', () => {
  it('keeps data across reopening the same file and migrates only once', async () => {
    const file = newDatabaseFile();
    const first = new SqliteJobStore(file);
    await first.savePipeline({
      definition: { id: 'p', name: 'p', inputs: {}, steps: [], outputs: {} },
      builtIn: false,
      createdAt: 'x',
      updatedAt: 'x',
    });
    await first.close();
    const second = new SqliteJobStore(file);
    expect((await second.getPipeline('p'))?.definition.name).toBe('p');
    await second.close();
  });

  it('commits the writes asked for before it closes, for the next start to find', async () => {
    const file = newDatabaseFile();
    const first = new SqliteJobStore(file);
    const job = { id: 'j1', pipelineId: 'p', pipeline: { id: 'p', name: 'p', inputs: {}, steps: [], outputs: {} }, status: 'queued' as const, createdAt: 'x', updatedAt: 'x', params: {}, inputs: {}, outputs: {}, steps: [], seq: 0 };
    void first.createJob(job, []);
    await first.close();
    const second = new SqliteJobStore(file);
    expect((await second.getJob('j1'))?.status).toBe('queued');
    await second.close();
  });

  it('keeps a job document small however many items it has, and moves items of older documents to rows', async () => {
    const file = newDatabaseFile();
    const store = new SqliteJobStore(file);
    const items = Array.from({ length: 1000 }, (_, i) => ({ status: 'succeeded' as const, attempts: 1, item: { n: i, box: { x: i, y: i, width: 10, height: 10 } } }));
    const job = {
      id: 'big',
      pipelineId: 'p',
      pipeline: { id: 'p', name: 'p', inputs: {}, steps: [], outputs: {} },
      status: 'succeeded' as const,
      createdAt: 'x',
      updatedAt: 'x',
      params: {},
      inputs: {},
      outputs: {},
      steps: [{ id: 'each', service: 's', task: 't', status: 'succeeded' as const, attempts: 0, items }],
      seq: 0,
    };
    await store.createJob(job, []);
    await store.close();

    const db = new Database(file);
    const documentSize = db.prepare('SELECT length(doc) FROM jobs').pluck().get() as number;
    expect(documentSize).toBeLessThan(1000);
    // As version 2 left it: the items inside the document, no item rows.
    db.prepare('UPDATE jobs SET doc = ?').run(JSON.stringify(job));
    db.exec('DROP TABLE job_items; DELETE FROM schema_migrations WHERE version = 3');
    db.close();

    const migrated = new SqliteJobStore(file);
    expect(await migrated.getJob('big')).toEqual(job);
    await migrated.close();
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT COUNT(*) FROM job_items').pluck().get()).toBe(1000);
    expect(after.prepare('SELECT length(doc) FROM jobs').pluck().get()).toBeLessThan(1000);
    after.close();
  });
});

describeJobLeaseContract('sqlite file, two connections', async () => {
  const file = newDatabaseFile();
  const stores: SqliteJobStore[] = [];
  return {
    connect: async () => {
      const store = new SqliteJobStore(file);
      stores.push(store);
      return store;
    },
    drop: async () => {
      for (const store of stores) await store.close();
    },
  };
});

describe('SqliteJobStore shared by processes', () => {
  it('three processes claiming from one file at once take every job exactly once', async () => {
    const file = newDatabaseFile();
    const store = new SqliteJobStore(file);
    for (let i = 0; i < 300; i++) await store.createJob(makeJob(`j${i}`), []);
    const workers = ['p1', 'p2', 'p3'].map((owner) =>
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, '../../../test/claim-worker.ts'), file, owner], {
        env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.spec.json') },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const ready = workers.map((worker) => new Promise<void>((resolve) => worker.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())));
    const outputs = workers.map(
      (worker) =>
        new Promise<string[]>((resolve, reject) => {
          let text = '';
          worker.stdout.on('data', (chunk) => (text += chunk));
          worker.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text) as string[]) : reject(new Error(`worker exited with ${code}`))));
        }),
    );
    // Once all have loaded, start them together.
    await Promise.all(ready);
    for (const worker of workers) worker.stdin.end('go\n');
    const claimed = await Promise.all(outputs);
    const all = claimed.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(300);
    // Each got a share: they really ran at the same time.
    expect(claimed.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    await store.close();
  }, 60_000);
});
