export * from './lib/blob-store.port';
export * from './lib/folder/folder.blob-store';
export * from './lib/blob-store.module';
export * from './lib/nats/nats-object.blob-store';
