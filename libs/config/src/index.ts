export * from './lib/environment';
export * from './lib/load-environment';
