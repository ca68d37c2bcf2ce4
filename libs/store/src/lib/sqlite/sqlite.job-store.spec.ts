import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobStoreContract } from '../../../test/job-store.contract';
import { SqliteJobStore } from './sqlite.job-store';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describeJobStoreContract('sqlite file', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'aim-sqlite-'));
  folders.push(folder);
  return new SqliteJobStore(join(folder, 'nested', 'marketplace.sqlite'));
});

describe('SqliteJobStore', () => {
  it('keeps data across reopening the same file and migrates only once', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'aim-sqlite-'));
    folders.push(folder);
    const file = join(folder, 'marketplace.sqlite');
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
});
