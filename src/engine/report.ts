import { issuesCredential, type Change, type Plan } from './changes';
import { handlerOf } from './handlers';

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
  return handlerOf(change).widening(change);
}

/** One line describing a change, without its sign. */
export function describeChange(change: Change): string {
  return handlerOf(change).describe(change);
}

function sign(change: Change): string {
  return handlerOf(change).sign;
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
        ...(issuesCredential(change) ? { reason: change.reason, new_secret: true } : {}),
        ...(change.kind === 'delete' ? { reason: change.reason, id: change.target.live.value.id } : {}),
      })),
      notices: plan.notices,
      problems: plan.problems,
    },
    null,
    2,
  )}\n`;
}
