/** Which Terraform resource carries each managed object, the stack reconciler and the stack destroyer. */
export enum CustomResourceType {
  /** Terraform's built-in `terraform_data` (Terraform >= 1.4): no provider download, works offline. */
  TERRAFORM_DATA = 'terraform_data',
  /** `null_resource` from the hashicorp/null provider: triggers only, so every change shows as a replacement. */
  NULL_RESOURCE = 'null_resource',
}
