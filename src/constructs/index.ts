export * from './planetscale';
export * from './database-password';
export * from './ip-restriction';
export * from './service-token';
export { CustomResourceType } from './resource-type';
export { ConstructValidationError } from './validation';
