export * from './lib/serve-webapp';
export * from './lib/engine-http-app';
export * from './lib/engine-options';
