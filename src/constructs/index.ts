export * from './planetscale';
export * from './database-password';
export * from './ip-restriction';
export * from './service-token';
export { CustomResourceType } from './custom-resource';
export { ConstructValidationError } from './validation';
