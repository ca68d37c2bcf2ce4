import { randomBytes } from 'node:crypto';
import { BlobStore } from '../src/lib/blob-store.port';

/** What every BlobStore adapter must do; `open` gives a fresh, empty store. */
export function blobStoreContract(name: string, open: () => Promise<BlobStore>, dispose: () => Promise<void>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let blobs: BlobStore;
    beforeEach(async () => {
      blobs = await open();
    });
    afterEach(async () => {
      await blobs.close();
      await dispose();
    });

    it('gives back the very bytes it was given: empty, small, and 3 MB (more than one broker message)', async () => {
      const large = randomBytes(3 * 1024 * 1024);
      await blobs.put('jobs/a/inputs/empty', new Uint8Array(0));
      await blobs.put('jobs/a/inputs/small', Buffer.from('hello'));
      await blobs.put('jobs/a/inputs/large', large);
      expect((await blobs.get('jobs/a/inputs/empty')).length).toBe(0);
      expect((await blobs.get('jobs/a/inputs/small')).toString()).toBe('hello');
      expect((await blobs.get('jobs/a/inputs/large')).equals(large)).toBe(true);
    });

    it('answers a key that was never written as missing (ENOENT), and exists() false', async () => {
      await expect(blobs.get('jobs/none/inputs/image')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await blobs.exists('jobs/none/inputs/image')).toBe(false);
      await blobs.put('jobs/b/inputs/image', Buffer.from([1]));
      expect(await blobs.exists('jobs/b/inputs/image')).toBe(true);
    });

    it('replaces a key written again (a retried step writes its output again)', async () => {
      await blobs.put('jobs/c/steps/s/image', Buffer.from('first'));
      await blobs.put('jobs/c/steps/s/image', Buffer.from('second'));
      expect((await blobs.get('jobs/c/steps/s/image')).toString()).toBe('second');
    });

    it('deletes a key folder and everything under it, and nothing beside it', async () => {
      for (const key of ['jobs/d1/inputs/image', 'jobs/d1/steps/s/0/image', 'jobs/d10/inputs/image', 'jobs/d2/inputs/image']) await blobs.put(key, Buffer.from(key));
      await blobs.deletePrefix('jobs/d1');
      expect(await blobs.exists('jobs/d1/inputs/image')).toBe(false);
      expect(await blobs.exists('jobs/d1/steps/s/0/image')).toBe(false);
      expect(await blobs.exists('jobs/d10/inputs/image')).toBe(true);
      expect(await blobs.exists('jobs/d2/inputs/image')).toBe(true);
      await blobs.deletePrefix('jobs/never-written');
    });

    it('lists the key folders right under a prefix', async () => {
      for (const key of ['jobs/e1/inputs/image', 'jobs/e2/steps/s/image', 'calls/x/inputs/image']) await blobs.put(key, Buffer.from(key));
      expect(await blobs.listFolders('jobs')).toEqual(['e1', 'e2']);
    });

    it('refuses keys that would leave the store', async () => {
      for (const key of ['../etc/passwd', 'jobs/../../x', '/abs', 'jobs//x', '']) {
        await expect(blobs.put(key, Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
      }
    });
  });
}
