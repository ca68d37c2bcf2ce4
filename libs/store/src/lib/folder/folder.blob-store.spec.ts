import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

  it('lists the key folders under a prefix, none when the prefix has no files', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('one'));
    await blobs.put('jobs/b/inputs/image', Buffer.from('two'));
    expect((await blobs.listFolders('jobs')).sort()).toEqual(['a', 'b']);
    expect(await blobs.listFolders('nothing')).toEqual([]);
  });

  it('sweeps the half-written files an interrupted write left, and nothing else', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('kept'));
    mkdirSync(join(root, 'jobs/c/steps'), { recursive: true });
    writeFileSync(join(root, 'jobs/a/inputs~image.0b7a1c2e-3f4d-4a5b-8c9d-0e1f2a3b4c5d.tmp'), 'half');
    writeFileSync(join(root, 'jobs/c/steps/out.9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.tmp'), '');
    expect(await blobs.sweepTemporaryFiles()).toBe(2);
    expect(readdirSync(join(root, 'jobs/a'))).toEqual(['inputs~image']);
    expect(readdirSync(join(root, 'jobs/c/steps'))).toEqual([]);
    expect(await blobs.sweepTemporaryFiles()).toBe(0);
  });

  it('keeps a job in one folder, deletes below it by prefix, and still reads files of the nested layout', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('in'));
    await blobs.put('jobs/a/steps/crop/0/image', Buffer.from('zero'));
    await blobs.put('jobs/a/steps/crop/1/image', Buffer.from('one'));
    await blobs.put('jobs/a/steps/cropped/image', Buffer.from('other'));
    expect(readdirSync(join(root, 'jobs/a')).sort()).toEqual(['inputs~image', 'steps~cropped~image', 'steps~crop~0~image', 'steps~crop~1~image']);
    await blobs.deletePrefix('jobs/a/steps/crop');
    expect(readdirSync(join(root, 'jobs/a')).sort()).toEqual(['inputs~image', 'steps~cropped~image']);

    mkdirSync(join(root, 'jobs/old/steps/resize'), { recursive: true });
    writeFileSync(join(root, 'jobs/old/steps/resize/image'), 'before');
    expect((await blobs.get('jobs/old/steps/resize/image')).toString()).toBe('before');
    expect(await blobs.exists('jobs/old/steps/resize/image')).toBe(true);
    await expect(blobs.get('jobs/old/steps/resize/other')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes again into a folder removed behind its back', async () => {
    await blobs.put('jobs/z/inputs/image', Buffer.from('one'));
    rmSync(join(root, 'jobs/z'), { recursive: true });
    await blobs.put('jobs/z/steps/s/image', Buffer.from('two'));
    expect((await blobs.get('jobs/z/steps/s/image')).toString()).toBe('two');
  });
});
