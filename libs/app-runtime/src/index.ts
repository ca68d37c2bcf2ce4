export * from './lib/workspace-root';
export * from './lib/security-headers';
export * from './lib/split-config';
export * from './lib/run-app';
export * from './lib/hosting-options';
