export * from './lib/service-process';
