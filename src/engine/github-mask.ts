import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';

/**
 * GitHub Actions masks a value once the step prints `::add-mask::<value>` at the start of a line of its own output.
 * The handler's output is not that: Terraform (and cdktf) prefix every line of it, so the command would not be
 * recognized and the value would be printed. Instead, the command is written straight to the step's output: the
 * standard output of the step's shell, the ancestor process whose parent is the runner's `Runner.Worker`.
 */
const RUNNER_PROCESS = 'Runner.Worker';

function parentOf(pid: number): number | undefined {
  try {
    // Fields after the parenthesized command name: state, ppid, ...
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The process whose standard output is the step log, or undefined when not found (not Linux, no runner). */
export function findStepProcess(start = process.pid): number | undefined {
  let pid: number | undefined = start;
  for (let depth = 0; pid !== undefined && depth < 32; depth++) {
    const parent = parentOf(pid);
    if (parent !== undefined && commandOf(parent) === RUNNER_PROCESS) return pid;
    pid = parent;
  }
  return undefined;
}

/**
 * Registers `secret` as masked for the rest of the job. Returns whether that was possible; when it is not, nothing
 * is written anywhere (the handler never prints secrets, masking is a second line of defence).
 */
export function maskInGitHubActions(secret: string, env: NodeJS.ProcessEnv = process.env): 'masked' | 'unavailable' | 'not-github' {
  if (env.GITHUB_ACTIONS !== 'true') return 'not-github';
  const step = findStepProcess();
  if (step === undefined) return 'unavailable';
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${step}/fd/1`, 'a');
    // One write of a short line: atomic on a pipe, so it cannot interleave with other output.
    writeSync(fd, `\n::add-mask::${secret}\n`);
    return 'masked';
  } catch {
    return 'unavailable';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
