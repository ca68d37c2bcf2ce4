export * from './lib/job-store.port';
export * from './lib/sqlite/sqlite.job-store';
export * from './lib/store.module';
export * from './lib/mongo/mongo.job-store';
export * from './lib/mongo/mongo.schemas';
