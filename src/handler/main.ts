import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PlanetScaleClient } from '../api/client';
import { Redactor } from '../engine/redact';
import { caBundleOf, outputsPathOf, runEngine, type EngineOptions, type Mode } from '../engine/run';
import { DEFAULT_CA_BUNDLE, RUN_VARIABLE } from '../model/contract';
import { checkDesiredState, checkDestroyDescription, checkRunDescription, digestOf, type DesiredState, type RunDescription, type StackIdentity } from '../model/desired-state';

/**
 * The program Terraform runs once per apply (the stack reconciler's local-exec), and at destroy (the destroyer's):
 *
 *     node <asset>/index.js apply|destroy
 *
 * Its input comes only from the environment and the desired-state file (never the command line, which Terraform
 * prints on failure):
 *   PLANETSCALE_CDKTF_RUN        for apply, the reconciler's triggers as JSON: digest, state file, stack, organization,
 *                                owner, settings (API URL, outputs file, sink); for destroy, the destroyer's input
 *                                (the same without digest and state file, plus where the stack's objects live)
 *   PLANETSCALE_SERVICE_TOKEN_ID / PLANETSCALE_SERVICE_TOKEN, or PLANETSCALE_ACCESS_TOKEN   credentials
 *   PLANETSCALE_API_URL, PLANETSCALE_OUTPUTS_FILE                                         optional overrides
 * It prints one line per change, never a secret; a run that cannot bring every object to its declared state exits 1
 * with one line per object that failed (the others are done, and the next apply converges).
 */

/** The JSON Terraform passes in the run variable: the reconciler's triggers, or the destroyer's identity. */
function runVariable(env: NodeJS.ProcessEnv): unknown {
  const text = env[RUN_VARIABLE];
  if (text === undefined) throw new Error(`${RUN_VARIABLE} is not set (the handler is meant to be run by Terraform)`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${RUN_VARIABLE} is not valid JSON`);
  }
}

/** The desired state of an apply: the synthesized file, refused unless it is the one this plan was made from. */
function readDesiredState(run: RunDescription, directory: string): DesiredState {
  const path = resolve(directory, run.state_file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`the desired-state file ${run.state_file} is missing beside the stack (run cdktf synth, or keep cdktf.out whole when moving it)`);
  }
  const desired = checkDesiredState(JSON.parse(text), `desired-state file ${run.state_file}`);
  if (digestOf(desired) !== run.digest) {
    throw new Error(`the desired-state file ${run.state_file} does not match this plan (digest differs): synthesize again and plan again`);
  }
  if (desired.stack !== run.stack || desired.organization !== run.organization || desired.owner !== run.owner) {
    throw new Error(`the desired-state file ${run.state_file} is for another stack, organization or owner`);
  }
  return desired;
}

/** What a destroy works from: only the stack's identity, since a later synth may have changed the file. */
function nothingDeclared(identity: StackIdentity): DesiredState {
  const { stack, organization, owner, settings } = identity;
  return { version: 1, stack, organization, owner, settings, passwords: [], service_tokens: [], ip_rules: [] };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = Date.now();
  const redactor = new Redactor();
  let label = 'planetscale';
  const print = (line: string) => process.stdout.write(redactor.redact(`${label}: ${line}\n`));
  const printError = (line: string) => process.stderr.write(redactor.redact(`${line}\n`));
  try {
    const action = argv[0] ?? '';
    if (action !== 'apply' && action !== 'destroy') throw new Error(`unknown action "${action}" (expected apply or destroy)`);
    let desired: DesiredState;
    let mustSee: EngineOptions['mustSee'];
    if (action === 'apply') {
      const run = checkRunDescription(runVariable(env));
      label = `planetscale ${run.stack}`;
      desired = readDesiredState(run, process.cwd());
    } else {
      const description = checkDestroyDescription(runVariable(env));
      label = `planetscale ${description.stack}`;
      desired = nothingDeclared(description);
      const { branches, rule_databases, service_tokens } = description;
      mustSee = { branches, rule_databases, service_tokens };
    }
    const client = new PlanetScaleClient({ organization: desired.organization, baseUrl: desired.settings.api_url, log: print });
    try {
      const { plan, outcome } = await runEngine({
        desired,
        mode: action as Mode,
        client,
        outputsPath: outputsPathOf(desired.settings, process.cwd(), env),
        stackDirectory: process.cwd(),
        // Only an apply writes connection strings: a destroy must not stop at a malformed PLANETSCALE_CA_BUNDLE.
        caBundle: action === 'apply' ? caBundleOf(env) : DEFAULT_CA_BUNDLE,
        log: print,
        redactor,
        mustSee,
      });
      for (const notice of plan.notices) print(`warning: ${notice.path}: ${notice.message}`);
      const failures = outcome?.failures ?? [];
      for (const failure of failures) printError(`planetscale ${failure.path}: ${failure.message}`);
      const counts = outcome?.counts ?? { created: 0, changed: 0, renewed: 0, deleted: 0 };
      const memory = Math.round(process.resourceUsage().maxRSS / 1024);
      print(
        `${action} ${failures.length > 0 ? 'failed' : 'finished'} in ${((Date.now() - started) / 1000).toFixed(1)}s: ${counts.created} created, ` +
          `${counts.changed} changed, ${counts.renewed} renewed, ${counts.deleted} deleted, ${failures.length} failed; ` +
          `${client.calls} API calls; peak memory ${memory} MB`,
      );
      return failures.length > 0 ? 1 : 0;
    } finally {
      await client.close();
    }
  } catch (error) {
    printError(`${label}: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
