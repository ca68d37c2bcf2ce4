export * from './lib/job-store.port';
export * from './lib/sqlite/sqlite.job-store';
export * from './lib/store.module';
