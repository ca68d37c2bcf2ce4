export * from './lib/job-store.port';
export * from './lib/blob-store.port';
export * from './lib/folder/folder.blob-store';
export * from './lib/sqlite/sqlite.job-store';
export * from './lib/store.module';
export * from './lib/store-faults';
