/**
 * Reads the three error body shapes the API sends: `{code, message}`, `{errors: [...]}`, and non-JSON (an HTML page
 * from a proxy, plain text). Non-JSON is reduced to a short printable snippet.
 */
export interface ErrorBody {
  readonly code?: string;
  readonly message?: string;
}

const SNIPPET_LENGTH = 160;
/** Anything shaped like a PlanetScale secret is masked even if a server echoes one back. */
const SECRET_PATTERN = /pscale_(pw|tkn|oauth)_[A-Za-z0-9_=.-]+/g;

export function sanitizeSnippet(text: string): string {
  const printable = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(SECRET_PATTERN, 'pscale_$1_[redacted]');
  return printable.length > SNIPPET_LENGTH ? `${printable.slice(0, SNIPPET_LENGTH)}…` : printable;
}

function messageOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object') {
    const record = item as Record<string, unknown>;
    for (const key of ['message', 'detail', 'title', 'error']) {
      if (typeof record[key] === 'string') return record[key] as string;
    }
  }
  return undefined;
}

export function parseErrorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const snippet = sanitizeSnippet(text);
    return snippet ? { message: snippet } : {};
  }
  if (!json || typeof json !== 'object') return { message: sanitizeSnippet(String(json)) };
  const record = json as Record<string, unknown>;
  const code = typeof record.code === 'string' ? record.code : undefined;
  if (Array.isArray(record.errors)) {
    const messages = record.errors.map(messageOf).filter((m): m is string => Boolean(m));
    return { code, message: sanitizeSnippet(messages.join('; ')) || undefined };
  }
  const message = messageOf(record);
  return { code, message: message === undefined ? undefined : sanitizeSnippet(message) };
}
