import { isAbsolute, resolve } from 'node:path';
import type { HandlerContext } from './context';
import { createPassword, destroyPassword } from './password';
import { applyPasswordCidrs } from './password-cidrs';
import { applyPostgresIpRule, destroyPostgresIpRule } from './postgres-ip-rule';
import { declaredIn, NOTHING_DECLARED, sweepOwned } from './reconciler';
import { Redactor } from './redact';
import { createServiceToken, destroyServiceToken } from './service-token';
import { applyServiceTokenGrants, desiredGrants, type GrantMap } from './service-token-grants';
import { PlanetScaleClient } from '../api/client';
import { OutputsFile } from '../outputs/outputs-file';
import {
  checkResourceSpec,
  checkSettings,
  type PasswordCidrsSpec,
  type PasswordSpec,
  type PostgresIpRuleSpec,
  type ReconcilerSpec,
  type ResourceSpec,
  type ServiceTokenGrantsSpec,
  type ServiceTokenSpec,
} from '../spec/resource-specs';

/**
 * The program Terraform runs (local-exec) for each custom resource, at create and at destroy:
 *
 *     node <asset>/index.js create|destroy
 *
 * Its input comes only from the environment (never the command line, which Terraform prints on failure):
 *   PLANETSCALE_CDKTF_SPEC      the resource's desired state (its triggers), JSON
 *   PLANETSCALE_CDKTF_SETTINGS  stack name, API URL, outputs file, JSON
 *   PLANETSCALE_CDKTF_CIDRS     for a password create: its initial CIDRs, JSON array
 *   PLANETSCALE_CDKTF_GRANTS    for a service token create: its initial grants, JSON
 *   PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN, or PLANETSCALE_ACCESS_TOKEN   credentials
 *   PLANETSCALE_API_URL, PLANETSCALE_OUTPUTS_FILE             optional overrides
 * It prints one line per change, never a secret, and on failure exits 1 with one line saying what went wrong.
 */

export const SPEC_VARIABLE = 'PLANETSCALE_CDKTF_SPEC';
export const SETTINGS_VARIABLE = 'PLANETSCALE_CDKTF_SETTINGS';
export const CIDRS_VARIABLE = 'PLANETSCALE_CDKTF_CIDRS';
export const GRANTS_VARIABLE = 'PLANETSCALE_CDKTF_GRANTS';
export const OUTPUTS_VARIABLE = 'PLANETSCALE_OUTPUTS_FILE';

function parseJson(variable: string, env: NodeJS.ProcessEnv): unknown {
  const text = env[variable];
  if (text === undefined) throw new Error(`${variable} is not set (the handler is meant to be run by Terraform)`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${variable} is not valid JSON`);
  }
}

function parseCidrs(env: NodeJS.ProcessEnv): string[] {
  const value = env[CIDRS_VARIABLE] === undefined ? [] : parseJson(CIDRS_VARIABLE, env);
  if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) throw new Error(`${CIDRS_VARIABLE} must be a JSON array of strings`);
  return value;
}

/** A new token's grants: `{"databases": {db: [access...]}, "organization_accesses": [...]}`. */
function parseGrants(env: NodeJS.ProcessEnv): GrantMap {
  const value = env[GRANTS_VARIABLE] === undefined ? { databases: {}, organization_accesses: [] } : parseJson(GRANTS_VARIABLE, env);
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((a) => typeof a === 'string');
  const record = value as { databases?: unknown; organization_accesses?: unknown };
  const databases = record?.databases;
  if (
    !databases || typeof databases !== 'object' || Array.isArray(databases) ||
    !Object.values(databases).every(strings) || !strings(record.organization_accesses)
  ) {
    throw new Error(`${GRANTS_VARIABLE} must be {"databases": {...}, "organization_accesses": [...]}`);
  }
  return desiredGrants({ databases: databases as Record<string, string[]>, organization_accesses: record.organization_accesses });
}

type Step = (context: HandlerContext, spec: any, env: NodeJS.ProcessEnv) => Promise<void>;
const nothing: Step = async () => undefined;

/** What each kind of resource does at create and at destroy. */
const STEPS: Record<ResourceSpec['kind'], { create: Step; destroy: Step }> = {
  'password': {
    create: (context, spec: PasswordSpec, env) => createPassword(context, spec, parseCidrs(env)),
    destroy: (context, spec: PasswordSpec) => destroyPassword(context, spec),
  },
  // The allow-list and the grants belong to their object: nothing to undo when only they are removed.
  'password-cidrs': { create: (context, spec: PasswordCidrsSpec) => applyPasswordCidrs(context, spec), destroy: nothing },
  'service-token': {
    create: (context, spec: ServiceTokenSpec, env) => createServiceToken(context, spec, parseGrants(env)),
    destroy: (context, spec: ServiceTokenSpec) => destroyServiceToken(context, spec),
  },
  'service-token-grants': { create: (context, spec: ServiceTokenGrantsSpec) => applyServiceTokenGrants(context, spec), destroy: nothing },
  'postgres-ip-rule': {
    create: (context, spec: PostgresIpRuleSpec) => applyPostgresIpRule(context, spec),
    destroy: (context, spec: PostgresIpRuleSpec) => destroyPostgresIpRule(context, spec),
  },
  'reconciler': {
    create: (context, spec: ReconcilerSpec) => sweepOwned(context, spec, declaredIn(spec)),
    destroy: (context, spec: ReconcilerSpec) => sweepOwned(context, spec, NOTHING_DECLARED, 'the stack is being destroyed'),
  },
};

async function run(action: string, spec: ResourceSpec, context: HandlerContext, env: NodeJS.ProcessEnv): Promise<void> {
  if (action !== 'create' && action !== 'destroy') throw new Error(`unknown action "${action}" (expected create or destroy)`);
  return STEPS[spec.kind][action](context, spec, env);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let label = 'planetscale';
  const redactor = new Redactor();
  const print = (line: string) => process.stdout.write(redactor.redact(`${label}: ${line}\n`));
  try {
    const action = argv[0] ?? '';
    const spec = checkResourceSpec(parseJson(SPEC_VARIABLE, env));
    const settings = checkSettings(parseJson(SETTINGS_VARIABLE, env));
    label = `planetscale ${'path' in spec ? spec.path : `${settings.stack} (stack reconciler)`}`;
    const outputsPath = env[OUTPUTS_VARIABLE] || settings.outputs_file;
    const client = new PlanetScaleClient({ organization: spec.organization, baseUrl: settings.api_url, log: print });
    const context: HandlerContext = {
      client,
      outputs: new OutputsFile(isAbsolute(outputsPath) ? outputsPath : resolve(outputsPath)),
      settings,
      log: print,
      redactor,
    };
    try {
      await run(action, spec, context, env);
    } finally {
      await client.close();
    }
    return 0;
  } catch (error) {
    process.stderr.write(redactor.redact(`${label}: ${(error as Error).message}\n`));
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
