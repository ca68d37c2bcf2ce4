import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from './folder.blob-store';

describe('FolderBlobStore', () => {
  let root: string;
  let blobs: FolderBlobStore;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aim-blobs-'));
    blobs = new FolderBlobStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes, reads and deletes a folder of blobs', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('one'));
    await blobs.put('jobs/a/steps/s/out', Buffer.from('two'));
    await blobs.put('jobs/b/inputs/image', Buffer.from('three'));
    expect((await blobs.get('jobs/a/steps/s/out')).toString()).toBe('two');
    await blobs.deletePrefix('jobs/a');
    expect(await blobs.exists('jobs/a/inputs/image')).toBe(false);
    expect(await blobs.exists('jobs/b/inputs/image')).toBe(true);
    expect(readdirSync(join(root, 'jobs'))).toEqual(['b']);
  });

  it('rejects keys that would leave its folder', async () => {
    await expect(blobs.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    await expect(blobs.get('jobs/../../etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(blobs.get('/etc/passwd')).rejects.toThrow(/invalid blob key/);
  });

  it('fails to read a missing blob', async () => {
    await expect(blobs.get('jobs/none')).rejects.toThrow();
  });
});
