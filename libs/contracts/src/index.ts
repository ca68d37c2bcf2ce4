export * from './lib/errors';
export * from './lib/content-types';
export * from './lib/service-descriptor';
export * from './lib/heartbeat';
export * from './lib/task-invocation';
export * from './lib/message-patterns';
export * from './lib/pipeline';
export * from './lib/job';
