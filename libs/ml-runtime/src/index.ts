export * from './lib/tensorflow-backend';
export * from './lib/file-model-io';
export * from './lib/node-require';
export * from './lib/human';
export * from './lib/image-tensor';
