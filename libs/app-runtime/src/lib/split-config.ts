import { resolve } from 'node:path';
import { BlobStoreOptions } from '@aim/blob-store';
import { LoadedEnvironment } from '@aim/config';
import { parseEndpoints, TransportOptions } from '@aim/transport';

/** How the processes of the split shape reach each other, from the environment. */
export function transportFrom(config: LoadedEnvironment): TransportOptions {
  if (config.TRANSPORT === 'nats') return { kind: 'nats', url: config.NATS_URL };
  return { kind: 'tcp', engine: { host: config.ENGINE_TCP_HOST, port: config.ENGINE_TCP_PORT }, services: parseEndpoints(config.TCP_SERVICES) };
}

/** Where every process of the split shape keeps blobs: the NATS object store, or a folder they share. */
export function splitBlobStoreFrom(config: LoadedEnvironment): BlobStoreOptions {
  const driver = config.BLOB_DRIVER === 'auto' ? (config.TRANSPORT === 'nats' ? 'nats' : 'folder') : config.BLOB_DRIVER;
  if (driver === 'folder') return { driver: 'folder', folder: resolve(config.DATA_DIR, 'blobs') };
  return {
    driver: 'nats',
    url: config.NATS_URL,
    bucket: config.BLOB_BUCKET,
    // Twice the retention: a backstop for files that retention could not delete, never before it.
    ttlMs: config.JOB_RETENTION_HOURS > 0 ? config.JOB_RETENTION_HOURS * 2 * 3600 * 1000 : 0,
    operationTimeoutMs: 10_000,
  };
}
