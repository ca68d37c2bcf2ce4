export * from './lib/api-routes';
export * from './lib/marketplace-client';
export type { ContractsMatchTheDocument } from './lib/api-contract-check';
