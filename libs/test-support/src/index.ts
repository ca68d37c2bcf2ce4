export * from './lib/nats-server';
