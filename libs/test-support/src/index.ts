export * from './lib/nats-server';
export * from './lib/node-app-process';
