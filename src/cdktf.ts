/**
 * The only module that imports CDK for Terraform. CDKTF was deprecated by HashiCorp on 2025-12-10; moving to the
 * community fork (cdktn) means changing the imports in this file and nothing else.
 */
export { App, AssetType, Lazy, TerraformAsset, TerraformResource, TerraformStack } from 'cdktf';
export type { ITerraformDependable, TerraformResourceLifecycle } from 'cdktf';
export { NullProvider } from '@cdktf/provider-null/lib/provider';
export { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
