import { describeSuccessor, describeTarget } from './deletion';
import { additionsOf, describeGrants, describeResource, lacking } from './grants';
import { roleRaised, type Change, type CreateReason, type CreateRule, type Plan, type UpdateRule } from './plan';
import { aggregateCidrs, sameAddresses } from '../model/cidr';
import { addedRoles } from '../model/postgres-roles';

/**
 * The plan as people and tools read it: text for a terminal, markdown for a pull-request comment (access widening
 * first), JSON for tools. Nothing here ever holds a secret: a plan has none.
 */

export interface ReportHeader {
  readonly stack: string;
  readonly organization: string;
  readonly owner: string;
}

/** Whether the stack is converged (0), has changes or things needing attention (2), or cannot be applied (1). */
export function exitCodeOf(plan: Plan): 0 | 1 | 2 {
  if (plan.problems.length > 0) return 1;
  const attention = plan.notices.some((n) => n.kind === 'secret-held-nowhere' || n.kind === 'expiring');
  return plan.changes.length > 0 || attention ? 2 : 0;
}

/** Whether a change gives someone more access than before, and how: what a reviewer must look at first. */
export function widening(change: Change): string[] {
  const reasons: string[] = [];
  switch (change.kind) {
    case 'create-password': {
      const d = change.declaration;
      if (change.reason === 'new') reasons.push(`new ${d.role} password on ${d.database}/${d.branch}, usable from ${d.cidrs.length > 0 ? d.cidrs.join(', ') : 'any address'}`);
      if (roleRaised(change.previousRole, d.role)) reasons.push(`role raised from ${change.previousRole} to ${d.role}`);
      if (change.previousDatabase !== undefined && change.previousDatabase !== d.database) reasons.push(`moved from database ${change.previousDatabase} to ${d.database}`);
      if (change.production && change.previousProduction === false) reasons.push(`moved to production branch ${d.database}/${d.branch}`);
      if (d.role === 'admin' && change.production && change.reason !== 'interrupted') reasons.push(`admin password on production branch ${d.database}/${d.branch}`);
      if (change.previousCidrs && change.previousCidrs.length > 0 && d.cidrs.length === 0) {reasons.push('all IP restrictions removed: usable from any address');} else if (change.previousCidrs && change.previousCidrs.length > 0 && !sameAddresses([...change.previousCidrs, ...d.cidrs], change.previousCidrs)) {
        reasons.push(`CIDR added: ${d.cidrs.filter((c) => !sameAddresses([...change.previousCidrs!, c], change.previousCidrs!)).join(', ')}`);
      }
      break;
    }
    case 'update-cidrs':
      if (change.to.length === 0) {reasons.push('all IP restrictions removed: usable from any address');} else if (change.from.length > 0 && !sameAddresses([...change.from, ...change.to], change.from)) {
        reasons.push(`CIDR added: ${change.to.filter((c) => !sameAddresses([...change.from, c], change.from)).join(', ')}`);
      }
      break;
    case 'update-grants': {
      const added = additionsOf(change.steps);
      if (added.size > 0) reasons.push(`${added.has('') ? 'organization-level access added' : 'grant added'}: ${describeGrants(added)}`);
      break;
    }
    case 'create-token': {
      // Against the generation it replaces when its grants are known; a new token, or one whose predecessor's grants
      // could not be read, widens by everything it is granted. Re-creating a token deleted outside code, or whose create
      // was interrupted, gives back what was reviewed before.
      const known = change.previousGrants;
      const added = known ? lacking(known, change.grants) : change.reason === 'new' || change.reason === 'new generation' || change.reason === 'expired' ? change.grants : new Map();
      if (added.size > 0) {
        const what = known ? 'grant added' : 'new token with grants';
        reasons.push(`${added.has('') ? `${what} (organization-level)` : what}: ${describeGrants(added)}`);
      }
      break;
    }
    case 'create-role': {
      const d = change.declaration;
      const inherits = change.inherited.join(', ');
      if (change.reason === 'new') reasons.push(`new Postgres role on ${d.database}/${d.branch} inheriting ${inherits}`);
      const added = change.previousInherited ? addedRoles(change.previousInherited, change.inherited) : [];
      if (added.length > 0) reasons.push(`inherited roles added: ${added.join(', ')}`);
      if (change.previousDatabase !== undefined && change.previousDatabase !== d.database) reasons.push(`moved from database ${change.previousDatabase} to ${d.database}`);
      if (change.production && change.previousProduction === false) reasons.push(`moved to production branch ${d.database}/${d.branch}`);
      if (change.inherited.includes('postgres') && change.production && change.reason !== 'interrupted') {
        reasons.push(`role inheriting postgres (admin) on production branch ${d.database}/${d.branch}`);
      }
      break;
    }
    case 'create-rule':
      reasons.push(`database IP rule added: ${change.declaration.cidrs.join(', ')} for schema ${change.declaration.schema || '(all)'}, role ${ruleRoleText(change)}`);
      break;
    case 'update-rule': {
      const { from, to } = change;
      if (!sameAddresses([...from.cidrs, ...to.cidrs], from.cidrs)) reasons.push(`CIDR added: ${to.cidrs.filter((c) => !sameAddresses([...from.cidrs, c], from.cidrs)).join(', ')}`);
      // Narrowing is from all ('') to one; any other change of schema or role admits something not admitted before.
      if (from.schema !== to.schema && from.schema !== '') reasons.push(to.schema === '' ? 'rule now covers all schemas' : `rule now covers schema ${to.schema}`);
      // A rule following a password's role to its new generation covers the same credential.
      if (from.role !== to.role && from.role !== '' && !change.rolePath) reasons.push(to.role === '' ? 'rule now covers all roles' : `rule now covers role ${to.role}`);
      break;
    }
    default:
      break;
  }
  return reasons;
}

const CREATE_REASONS: Record<CreateReason, string> = {
  'new': 'new',
  'new generation': 'new generation, replaces the previous one (which hands it its objects)',
  'missing': 'missing: deleted outside code',
  'expired': 'expired: a new one replaces it',
  'interrupted': 'its create was interrupted',
};

/** The role a rule covers, as a reader sees it. */
function ruleRoleText(change: CreateRule | UpdateRule): string {
  if (change.rolePath) return `(the new role of ${change.rolePath})`;
  const role = change.kind === 'create-rule' ? change.settings.role : change.to.role;
  return role || '(all)';
}

function orphansDeleted(count: number): string {
  return count === 0 ? '' : ` (first deletes ${count === 1 ? 'the instance' : `${count} instances`} left by the interrupted run, whose secret was never recorded)`;
}

/** One line describing a change, without its sign. */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'create-password': {
      const d = change.declaration;
      const why = { 'new': 'new', 'new generation': 'new generation, replaces the previous one', 'missing': 'missing: deleted outside code', 'expired': 'expired: a new one replaces it', 'interrupted': 'its create was interrupted' }[change.reason];
      return `create password ${change.path} on ${d.database}/${d.branch} (${d.role}, allowed from ${d.cidrs.length > 0 ? d.cidrs.join(', ') : 'any address'}): ${why}; new secret${orphansDeleted(change.orphans.length)}`;
    }
    case 'create-role': {
      const d = change.declaration;
      return `create Postgres role ${change.path} on ${d.database}/${d.branch} (inherits ${change.inherited.join(', ')}): ${CREATE_REASONS[change.reason]}; new secret${orphansDeleted(change.orphans.length)}`;
    }
    case 'rename-role':
      return `rename role ${change.path} to ${change.to}`;
    case 'renew-role':
      return `renew role ${change.path} (expires ${change.expiresAt}; same secret)`;
    case 'record-successor':
      return `record that the objects of ${change.path} go to ${describeSuccessor(change.to)} when it is removed (was ${describeSuccessor(change.from)}; outputs file only)`;
    case 'create-token': {
      const why = { 'new': 'new', 'new generation': 'new generation, replaces the previous one', 'missing': 'missing: deleted outside code', 'expired': 'expired: a new one replaces it', 'interrupted': 'its create was interrupted' }[change.reason];
      return `create service token ${change.path} with ${describeGrants(change.grants)}: ${why}; new secret${orphansDeleted(change.orphans.length)}`;
    }
    case 'redeliver':
      return `deliver ${change.entry.kind === 'password' ? 'password' : 'service token'} ${change.path} to the sink again (a run stopped before the sink confirmed it; same secret)`;
    case 'create-rule':
      return `create IP rule ${change.path} on ${change.declaration.database}: ${change.declaration.cidrs.join(', ')} for role ${ruleRoleText(change)}`;
    case 'update-cidrs': {
      const from = aggregateCidrs(change.from);
      const to = aggregateCidrs(change.to);
      const added = to.filter((c) => !from.includes(c));
      const removed = from.filter((c) => !to.includes(c));
      return `update CIDRs of ${change.path} (same password, same secret): ${[...added.map((c) => `+ ${c}`), ...removed.map((c) => `- ${c}`)].join(', ') || 'rewritten'}${change.to.length === 0 ? ' (none left: any address)' : ''}`;
    }
    case 'rename-password':
      return `rename password ${change.path} to ${change.to}`;
    case 'renew-password':
      return `renew password ${change.path} (expires ${change.expiresAt}; same secret)`;
    case 'update-grants':
      return `update grants of ${change.path} (same token): ${change.steps
        .flatMap((s) => [...(s.add.length > 0 ? [`+ ${s.add.join(', ')} on ${describeResource(s.resource)}`] : []), ...(s.remove.length > 0 ? [`- ${s.remove.join(', ')} on ${describeResource(s.resource)}`] : [])])
        .join('; ')}`;
    case 'update-rule':
      return `update IP rule ${change.path} on ${change.live.database}: ${change.to.cidrs.join(', ')} for schema ${change.to.schema || '(all)'}, role ${ruleRoleText(change)}`;
    case 'delete':
      return `delete ${describeTarget(change.target)}: ${change.reason}${change.after && change.reason !== 'duplicate' ? ` (of ${change.after}, once its successor is live)` : ''}`;
  }
}

function sign(change: Change): string {
  return change.kind === 'delete' ? '-' : change.kind.startsWith('create-') ? '+' : '~';
}

export function renderText(header: ReportHeader, plan: Plan): string {
  const lines = [`PlanetScale plan for stack ${header.stack} (organization ${header.organization}, owner ${header.owner})`];
  for (const problem of plan.problems) lines.push(`  x ${problem.path}: ${problem.message}`);
  for (const change of plan.changes) lines.push(`  ${sign(change)} ${describeChange(change)}${widening(change).length > 0 ? `  [widens access: ${widening(change).join('; ')}]` : ''}`);
  for (const notice of plan.notices) lines.push(`  ! ${notice.path}: ${notice.message}`);
  const code = exitCodeOf(plan);
  lines.push(
    code === 0
      ? 'Converged: PlanetScale matches the code.'
      : `${plan.changes.length} change(s) pending, ${plan.notices.length} notice(s), ${plan.problems.length} problem(s).`,
  );
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(header: ReportHeader, plan: Plan): string {
  const out = [`### PlanetScale plan: stack \`${header.stack}\` (organization \`${header.organization}\`)`, ''];
  const widened = plan.changes.filter((c) => widening(c).length > 0);
  const others = plan.changes.filter((c) => widening(c).length === 0);
  if (plan.problems.length > 0) {
    out.push('**Cannot be applied**', '', ...plan.problems.map((p) => `- \`${p.path}\`: ${cell(p.message)}`), '');
  }
  if (widened.length > 0) {
    out.push(`**Access widened (${widened.length}): review these first**`, '', '| object | how | change |', '| --- | --- | --- |');
    for (const change of widened) out.push(`| \`${change.path}\` | ${cell(widening(change).join('; '))} | ${sign(change)} ${cell(describeChange(change))} |`);
    out.push('');
  }
  if (others.length > 0) {
    out.push(`**Other changes (${others.length})**`, '', '| object | change |', '| --- | --- |');
    for (const change of others) out.push(`| \`${change.path}\` | ${sign(change)} ${cell(describeChange(change))} |`);
    out.push('');
  }
  if (plan.notices.length > 0) out.push('**Needs attention**', '', ...plan.notices.map((n) => `- \`${n.path}\`: ${cell(n.message)}`), '');
  if (exitCodeOf(plan) === 0) out.push('Converged: PlanetScale matches the code.', '');
  out.push(`<sub>planetscale-cdktf plan · owner \`${header.owner}\` · no secrets in this report</sub>`);
  return `${out.join('\n')}\n`;
}

export function renderJson(header: ReportHeader, plan: Plan): string {
  return `${JSON.stringify(
    {
      ...header,
      status: ['converged', 'cannot-apply', 'pending'][exitCodeOf(plan)],
      changes: plan.changes.map((change) => ({
        action: change.kind,
        path: change.path,
        description: describeChange(change),
        widens: widening(change),
        ...(change.kind === 'create-password' || change.kind === 'create-role' || change.kind === 'create-token' ? { reason: change.reason, new_secret: true } : {}),
        ...(change.kind === 'delete' ? { reason: change.reason, id: change.target.live.value.id } : {}),
      })),
      notices: plan.notices,
      problems: plan.problems,
    },
    null,
    2,
  )}\n`;
}
