import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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
    expect(await blobs.exists('jobs/a/steps/s/out')).toBe(false);
    expect(await blobs.exists('jobs/b/inputs/image')).toBe(true);
    expect(readdirSync(join(root, 'jobs')).sort()).toEqual(['~a', '~b']);
    expect(readdirSync(join(root, 'jobs/~a'))).toEqual([]);
  });

  it('rejects keys that would leave its folder', async () => {
    await expect(blobs.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    await expect(blobs.get('jobs/../../etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(blobs.get('/etc/passwd')).rejects.toThrow(/invalid blob key/);
  });

  it('fails to read a missing blob', async () => {
    await expect(blobs.get('jobs/none')).rejects.toThrow();
  });

  it('lists the key folders under a prefix, in every layout, none when the prefix has no files', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('one'));
    await blobs.put('jobs/b/inputs/image', Buffer.from('two'));
    await blobs.put('jobs/b1/inputs/image', Buffer.from('three'));
    mkdirSync(join(root, 'jobs/old/steps'), { recursive: true });
    writeFileSync(join(root, 'jobs/old/steps/out'), 'nested, as before');
    mkdirSync(join(root, 'jobs/~ha'));
    writeFileSync(join(root, 'jobs/~ha/half~inputs~image.0b7a1c2e-3f4d-4a5b-8c9d-0e1f2a3b4c5d.tmp'), '');
    expect((await blobs.listFolders('jobs')).sort()).toEqual(['a', 'b', 'b1', 'half', 'old']);
    expect(await blobs.listFolders('nothing')).toEqual([]);
  });

  it('sweeps the half-written files an interrupted write left, and nothing else', async () => {
    await blobs.put('jobs/a/inputs/image', Buffer.from('kept'));
    mkdirSync(join(root, 'jobs/c/steps'), { recursive: true });
    writeFileSync(join(root, 'jobs/~a/a~inputs~image.0b7a1c2e-3f4d-4a5b-8c9d-0e1f2a3b4c5d.tmp'), 'half');
    writeFileSync(join(root, 'jobs/c/steps/out.9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.tmp'), '');
    // A write of another process may be under way: young half-written files stay when an age is asked for.
    expect(await blobs.sweepTemporaryFiles(60_000)).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(root, 'jobs/c/steps/out.9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.tmp'), old, old);
    expect(await blobs.sweepTemporaryFiles(60_000)).toBe(1);
    expect(await blobs.sweepTemporaryFiles()).toBe(1);
    expect(readdirSync(join(root, 'jobs/~a'))).toEqual(['a~inputs~image']);
    expect(readdirSync(join(root, 'jobs/c/steps'))).toEqual([]);
    expect(await blobs.sweepTemporaryFiles()).toBe(0);
  });

  it('keeps a job as files of its shard folder, makes no folder per job, and deletes below a key by prefix', async () => {
    const id = '3f2a6c1e-0d4b-4e8a-9c7f-5b1d2e3f4a5b';
    await blobs.put(`jobs/${id}/inputs/image`, Buffer.from('in'));
    await blobs.put(`jobs/${id}/steps/crop/0/image`, Buffer.from('zero'));
    await blobs.put(`jobs/${id}/steps/crop/1/image`, Buffer.from('one'));
    await blobs.put(`jobs/${id}/steps/cropped/image`, Buffer.from('other'));
    await blobs.put('jobs/3f000000-0000-4000-8000-000000000000/inputs/image', Buffer.from('a neighbour in the shard'));
    expect(readdirSync(join(root, 'jobs'))).toEqual(['~3f']);
    expect(readdirSync(join(root, 'jobs/~3f')).filter((name) => name.startsWith(id)).sort()).toEqual(
      [`inputs~image`, `steps~cropped~image`, `steps~crop~0~image`, `steps~crop~1~image`].map((name) => `${id}~${name}`),
    );
    await blobs.deletePrefix(`jobs/${id}/steps/crop`);
    expect(readdirSync(join(root, 'jobs/~3f')).filter((name) => name.startsWith(id)).sort()).toEqual([`${id}~inputs~image`, `${id}~steps~cropped~image`]);
    await blobs.deletePrefix(`jobs/${id}`);
    expect(readdirSync(join(root, 'jobs/~3f'))).toEqual(['3f000000-0000-4000-8000-000000000000~inputs~image']);
  });

  it('still reads and deletes the files of the earlier layouts: a folder per job, flat or nested below it', async () => {
    mkdirSync(join(root, 'jobs/flat'), { recursive: true });
    writeFileSync(join(root, 'jobs/flat/steps~resize~image'), 'flat');
    mkdirSync(join(root, 'jobs/old/steps/resize'), { recursive: true });
    writeFileSync(join(root, 'jobs/old/steps/resize/image'), 'nested');
    expect((await blobs.get('jobs/flat/steps/resize/image')).toString()).toBe('flat');
    expect((await blobs.get('jobs/old/steps/resize/image')).toString()).toBe('nested');
    expect(await blobs.exists('jobs/old/steps/resize/image')).toBe(true);
    await expect(blobs.get('jobs/old/steps/resize/other')).rejects.toMatchObject({ code: 'ENOENT' });
    await blobs.deletePrefix('jobs/flat/steps/resize');
    expect(readdirSync(join(root, 'jobs/flat'))).toEqual([]);
    await blobs.deletePrefix('jobs/old');
    expect(readdirSync(join(root, 'jobs')).sort()).toEqual(['flat']);
  });

  it('gives a blob just written to its first reader as it is, later readers and old writes from the file', async () => {
    const written = Buffer.from('fresh');
    await blobs.put('jobs/a/inputs/image', written);
    const first = await blobs.get('jobs/a/inputs/image');
    const second = await blobs.get('jobs/a/inputs/image');
    expect([first === written, second === written, second.toString()]).toEqual([true, false, 'fresh']);

    const megabyte = (n: number) => Buffer.alloc(1024 * 1024, n);
    const many = Array.from({ length: 20 }, (_, n) => megabyte(n));
    for (const [n, data] of many.entries()) await blobs.put(`jobs/m/steps/s/${n}/image`, data);
    const oldest = await blobs.get('jobs/m/steps/s/0/image');
    const newest = await blobs.get('jobs/m/steps/s/19/image');
    expect([oldest === many[0], oldest.equals(many[0]), newest === many[19]]).toEqual([false, true, true]);

    // Small buffers are often slices of one shared pool: each counts as the whole pool it keeps alive.
    const pooled = Array.from({ length: 4000 }, (_, n) => Buffer.from(`small ${n}`));
    expect(pooled[0].buffer.byteLength).toBeGreaterThan(1000);
    for (const [n, data] of pooled.entries()) await blobs.put(`jobs/p/steps/s/${n}/image`, data);
    const kept = await Promise.all(pooled.map(async (data, n) => (await blobs.get(`jobs/p/steps/s/${n}/image`)) === data));
    expect(kept.filter(Boolean).length).toBeLessThanOrEqual((16 * 1024 * 1024) / pooled[0].buffer.byteLength);
    expect(kept[kept.length - 1]).toBe(true);

    await blobs.put('jobs/d/inputs/image', Buffer.from('gone'));
    await blobs.deletePrefix('jobs/d');
    await expect(blobs.get('jobs/d/inputs/image')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes again into a folder removed behind its back', async () => {
    await blobs.put('jobs/z/inputs/image', Buffer.from('one'));
    rmSync(join(root, 'jobs'), { recursive: true });
    await blobs.put('jobs/z/steps/s/image', Buffer.from('two'));
    expect((await blobs.get('jobs/z/steps/s/image')).toString()).toBe('two');
  });
});
