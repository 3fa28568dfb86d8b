export * from './client';
export * from './credentials';
export * from './errors';
export * from './types';
export type { RetryPolicyOptions } from './retry-policy';
