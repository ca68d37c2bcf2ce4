export * from './lib/task-service';
export * from './lib/work-queue';
export * from './lib/service-host';
export * from './lib/local-task-invoker';
export * from './lib/heartbeat.publisher';
export * from './lib/local-services.module';
export * from './lib/service-kit.constants';
export * from './lib/image-input';
