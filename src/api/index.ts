export * from './client';
export * from './credentials';
export * from './errors';
export * from './types';
export type { RetryPolicyOptions } from './retry-policy';
export { ENDPOINTS, type BranchKind, type Endpoint, type Operation } from './endpoints';
