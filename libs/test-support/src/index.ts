export * from './lib/nats-server';
export * from './lib/node-app-process';
export * from './lib/openapi-response-validator';
export * from './lib/api-contract-watch';
export * from './lib/face-test-set';
export * from './lib/face-detection-score';
