/**
 * Removes secrets from text that is about to be shown (handler output, error lines, a sink's stderr excerpt). A
 * secret is removed whole, and so is its random body without the `pscale_pw_` / `pscale_tkn_` prefix, and any run of
 * 12 or more of its body's characters: a program that prints only the body, or part of it, must not get it into
 * Terraform's output either.
 *
 * Every 12-character window of every secret body is kept in a set; a text is redacted by looking each window of its
 * letter-and-digit runs up in it, so the cost of a line does not grow with the number of secrets a run has made.
 */
const WINDOW = 12;
const RUN = /[A-Za-z0-9_]+/g;

function bodyOf(secret: string): string {
  return secret.replace(/^pscale_[a-z]+_/, '');
}

/** The secrets seen during one run, and a redaction of text by all of them. */
export class Redactor {
  private readonly windows = new Set<string>();
  /** Secrets (and bodies) shorter than a window: matched whole. */
  private readonly short = new Set<string>();

  add(secret: string): void {
    const body = bodyOf(secret);
    if (body.length < WINDOW) {
      if (secret) this.short.add(secret);
      if (body) this.short.add(body);
      return;
    }
    for (let i = 0; i + WINDOW <= body.length; i++) this.windows.add(body.slice(i, i + WINDOW));
  }

  redact(text: string): string {
    let out = text;
    for (const whole of this.short) out = out.split(whole).join('[redacted]');
    if (this.windows.size === 0) return out;
    // A run of letters and digits holding any window of a secret goes whole (its prefix included).
    return out.replace(RUN, (run) => {
      if (run.length < WINDOW) return run;
      for (let i = 0; i + WINDOW <= run.length; i++) if (this.windows.has(run.slice(i, i + WINDOW))) return '[redacted]';
      return run;
    });
  }
}

/** Redacts `text` of the given secrets (see Redactor). */
export function redact(text: string, secrets: Iterable<string>): string {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor.redact(text);
}
