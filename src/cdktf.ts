import { join } from 'node:path';
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The only module that imports CDK for Terraform. CDKTF was deprecated by HashiCorp on 2025-12-10; moving to the
 * community fork (cdktn) means changing the imports in this file and nothing else.
 */
export { App, AssetType, Lazy, TerraformAsset, TerraformResource, TerraformStack } from 'cdktf';
export type { ITerraformDependable, TerraformResourceLifecycle } from 'cdktf';
export { NullProvider } from '@cdktf/provider-null/lib/provider';
export { Resource as NullResource } from '@cdktf/provider-null/lib/resource';

/** What cdktf hands a construct's synthesis hook (the parts used here). */
interface SynthesisSession {
  readonly manifest: { readonly outdir: string; forStack(stack: TerraformStack): { readonly synthesizedStackPath: string } };
}

/**
 * Calls `write` with the stack's output directory (cdktf.out/stacks/<stack>) when the stack is synthesized, after its
 * validations ran. This is the hook cdktf's own TerraformAsset uses to copy files beside the stack: a property under
 * `Symbol.for('cdktf/customSynthesis')` that the stack synthesizer calls; CDK Terrain keeps the same symbol.
 */
export function onStackSynthesis(construct: IConstruct, write: (stackDirectory: string) => void): void {
  Object.defineProperty(construct, Symbol.for('cdktf/customSynthesis'), {
    value: {
      onSynthesize: (session: SynthesisSession) => {
        const stackFile = session.manifest.forStack(TerraformStack.of(construct)).synthesizedStackPath;
        write(join(session.manifest.outdir, stackFile, '..'));
      },
    },
  });
}
