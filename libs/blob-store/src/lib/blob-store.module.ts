import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { BlobStore } from './blob-store.port';
import { FolderBlobStore } from './folder/folder.blob-store';
import { NatsObjectBlobStore, NatsObjectBlobStoreOptions } from './nats/nats-object.blob-store';

/** Blobs in a folder of this machine: one process, or processes sharing a disk. */
export interface FolderBlobStoreOptions {
  driver: 'folder';
  folder: string;
}

/** Blobs in a NATS JetStream object store: the split shape, where no disk is shared. */
export type NatsBlobStoreOptions = { driver: 'nats' } & NatsObjectBlobStoreOptions;

export type BlobStoreOptions = FolderBlobStoreOptions | NatsBlobStoreOptions;

function createBlobStore(options: BlobStoreOptions): BlobStore {
  return options.driver === 'nats' ? new NatsObjectBlobStore(options) : new FolderBlobStore(options.folder);
}

@Injectable()
class BlobStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(BlobStore) private readonly blobs: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.blobs.close();
  }
}

/**
 * Provides the BlobStore port, to the engine (job inputs, downloads) and to the service kit (a task's
 * inputs and outputs) alike: in one process both use the same instance.
 */
@Module({})
export class BlobStoreModule {
  static register(options: BlobStoreOptions): DynamicModule {
    return {
      module: BlobStoreModule,
      global: true,
      providers: [{ provide: BlobStore, useFactory: () => createBlobStore(options) }, BlobStoreCloser],
      exports: [BlobStore],
    };
  }
}
