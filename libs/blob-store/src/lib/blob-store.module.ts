import { DynamicModule, Module } from '@nestjs/common';
import { BlobStore } from './blob-store.port';
import { FolderBlobStore } from './folder/folder.blob-store';

/** Where blobs live: a folder of this machine (one process, or processes sharing a disk). */
export interface FolderBlobStoreOptions {
  driver: 'folder';
  folder: string;
}

export type BlobStoreOptions = FolderBlobStoreOptions;

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
      providers: [{ provide: BlobStore, useFactory: () => new FolderBlobStore(options.folder) }],
      exports: [BlobStore],
    };
  }
}
