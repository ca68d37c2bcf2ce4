import { connect, NatsConnection, nanos, ObjectStore, StorageType } from 'nats';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { assertSafeBlobKey, BlobStore } from '../blob-store.port';

export interface NatsObjectBlobStoreOptions {
  /** NATS servers, comma-separated (`nats://127.0.0.1:4222`). */
  url: string;
  bucket: string;
  /** Objects older than this are dropped by the server (0: kept until deleted); a backstop for retention. */
  ttlMs: number;
  /** How long one operation may take before it is a STORE_UNAVAILABLE (the broker down or too slow). */
  operationTimeoutMs: number;
}

/**
 * Blobs in the split shape: a NATS JetStream object store, which every process of the product reaches
 * through the broker it already uses (no disk shared between pods). An object is stored in 128 KiB
 * chunks, its digest checked on read, and becomes visible only once complete: an interrupted put leaves
 * nothing under its key. Listing reads every object's metadata: `deletePrefix` and `listFolders` cost in
 * proportion to the objects kept (retention keeps that bounded; `ttlMs` is the backstop).
 */
export class NatsObjectBlobStore extends BlobStore {
  private connection?: Promise<NatsConnection>;
  private store?: Promise<ObjectStore>;

  constructor(private readonly options: NatsObjectBlobStoreOptions) {
    super();
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    assertSafeBlobKey(key);
    const store = await this.bucket();
    await this.guard(`write ${key}`, () => store.putBlob({ name: key }, data, { timeout: this.options.operationTimeoutMs }));
  }

  async get(key: string): Promise<Buffer> {
    assertSafeBlobKey(key);
    const store = await this.bucket();
    const data = await this.guard(`read ${key}`, () => store.getBlob(key));
    if (!data) throw Object.assign(new Error(`no blob "${key}"`), { code: 'ENOENT' });
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  async exists(key: string): Promise<boolean> {
    assertSafeBlobKey(key);
    const store = await this.bucket();
    const info = await this.guard(`look up ${key}`, () => store.info(key));
    return info !== null && !info.deleted;
  }

  async deletePrefix(prefix: string): Promise<void> {
    const key = prefix.replace(/\/+$/, '');
    assertSafeBlobKey(key);
    const store = await this.bucket();
    for (const name of await this.names()) {
      if (name === key || name.startsWith(`${key}/`)) await this.guard(`delete ${name}`, () => store.delete(name));
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    const key = prefix.replace(/\/+$/, '');
    assertSafeBlobKey(key);
    const folders = new Set<string>();
    for (const name of await this.names()) {
      if (!name.startsWith(`${key}/`)) continue;
      const rest = name.slice(key.length + 1).split('/');
      if (rest.length > 1) folders.add(rest[0]);
    }
    return [...folders].sort();
  }

  /** An interrupted put is never visible under its key; the server drops its chunks with the bucket's age limit. */
  async sweepTemporaryFiles(): Promise<number> {
    return 0;
  }

  override async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.store = undefined;
    if (connection) await (await connection.catch(() => undefined))?.drain().catch(() => undefined);
  }

  private async names(): Promise<string[]> {
    const store = await this.bucket();
    const entries = await this.guard('list the objects', () => store.list());
    return entries.filter((entry) => !entry.deleted).map((entry) => entry.name);
  }

  /** The bucket, or STORE_UNAVAILABLE when the broker cannot be reached in time (the connection keeps trying). */
  private bucket(): Promise<ObjectStore> {
    const opening = this.open();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.unavailable('reach the broker', new Error(`no connection within ${this.options.operationTimeoutMs} ms`))), this.options.operationTimeoutMs);
    });
    return Promise.race([opening, late]).finally(() => clearTimeout(timer));
  }

  private open(): Promise<ObjectStore> {
    this.connection ??= connect({
      servers: this.options.url.split(',').map((server) => server.trim()),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: 500,
    });
    this.store ??= this.connection
      .then((nc) =>
        nc.jetstream({ timeout: this.options.operationTimeoutMs }).views.os(this.options.bucket, {
          storage: StorageType.File,
          ...(this.options.ttlMs > 0 ? { ttl: nanos(this.options.ttlMs) } : {}),
        }),
      )
      .catch((error: unknown) => {
        this.store = undefined;
        throw this.unavailable('open the bucket', error);
      });
    return this.store;
  }

  private async guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.unavailable(what, error);
    }
  }

  private unavailable(what: string, error: unknown): MarketplaceError {
    return new MarketplaceError(ErrorCode.StoreUnavailable, `the blob store could not ${what} (${(error as Error).message}); try again shortly`, {
      retryable: true,
      retryAfterSeconds: 5,
    });
  }
}
