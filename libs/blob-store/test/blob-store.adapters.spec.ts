import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer } from '@aim/test-support';
import { FolderBlobStore } from '../src/lib/folder/folder.blob-store';
import { NatsObjectBlobStore } from '../src/lib/nats/nats-object.blob-store';
import { blobStoreContract } from './blob-store.contract';

let folder: string;
blobStoreContract(
  'folder',
  async () => new FolderBlobStore((folder = mkdtempSync(join(tmpdir(), 'aim-blobs-')))),
  async () => rmSync(folder, { recursive: true, force: true }),
);

let nats: NatsServer;
let bucket = 0;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(() => nats?.dispose());

blobStoreContract(
  'NATS JetStream object store (a real nats-server)',
  async () => new NatsObjectBlobStore({ url: nats.url, bucket: `blobs-${++bucket}`, ttlMs: 0, operationTimeoutMs: 5000 }),
  async () => undefined,
);

describe('NATS object store when the broker is away', () => {
  it('fails a write with a retryable STORE_UNAVAILABLE within its timeout, and works once the broker is back', async () => {
    const blobs = new NatsObjectBlobStore({ url: nats.url, bucket: 'blobs-away', ttlMs: 0, operationTimeoutMs: 1000 });
    await blobs.put('jobs/f/inputs/image', Buffer.from('before'));
    await nats.stop();
    const started = Date.now();
    await expect(blobs.put('jobs/f/inputs/image2', Buffer.from('while away'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(4000);
    await nats.restart();
    let stored = false;
    for (let i = 0; i < 40 && !stored; i++) {
      stored = await blobs.put('jobs/f/inputs/image3', Buffer.from('after')).then(() => true, () => false);
      if (!stored) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(stored).toBe(true);
    expect((await blobs.get('jobs/f/inputs/image')).toString()).toBe('before');
    await blobs.close();
  }, 30_000);
});
