/**
 * Removes secrets from text that is about to be shown (handler output, error lines, a sink's stderr excerpt). A
 * secret is removed whole, and so is its random body without the `pscale_pw_` / `pscale_tkn_` prefix, and any run of
 * 12 or more of its body's characters: a program that prints only the body, or part of it, must not get it into
 * Terraform's output either.
 */
const WINDOW = 12;

function bodyOf(secret: string): string {
  return secret.replace(/^pscale_[a-z]+_/, '');
}

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    const body = bodyOf(secret);
    out = out.split(secret).join('[redacted]');
    if (body.length < WINDOW) {
      if (body) out = out.split(body).join('[redacted]');
      continue;
    }
    const windows = new Set<string>();
    for (let i = 0; i + WINDOW <= body.length; i++) windows.add(body.slice(i, i + WINDOW).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    out = out.replace(new RegExp(`[A-Za-z0-9_]*(?:${[...windows].join('|')})[A-Za-z0-9_]*`, 'g'), '[redacted]');
  }
  return out;
}

/** The secrets seen during one handler run, and a redaction of text by all of them. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    if (secret) this.secrets.add(secret);
  }

  redact(text: string): string {
    return this.secrets.size === 0 ? text : redact(text, this.secrets);
  }
}
