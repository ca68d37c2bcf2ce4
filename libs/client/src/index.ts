export * from './lib/api-routes';
export * from './lib/marketplace-client';
