/**
 * Reads the error body shapes the API sends: `{code, message}`; `{errors: [...]}` of messages, or of parameter errors
 * `{"errors":[{"namespace","name","errors":["..."]}]}` (planetscale-go client.go parameterErrorsToError, which reads
 * them as "namespace.name: message"); and non-JSON (an HTML page from a proxy, plain text), reduced to a short
 * printable snippet.
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

/** "pgconf.max_connections: must be at most 100", as planetscale-go words a parameter error. */
function parameterMessages(record: Record<string, unknown>): string | undefined {
  if (typeof record.name !== 'string' || record.name === '' || !Array.isArray(record.errors)) return undefined;
  const key = typeof record.namespace === 'string' && record.namespace !== '' ? `${record.namespace}.${record.name}` : record.name;
  const messages = record.errors.filter((m): m is string => typeof m === 'string');
  return messages.length > 0 ? messages.map((m) => `${key}: ${m}`).join('; ') : undefined;
}

function messageOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object') {
    const record = item as Record<string, unknown>;
    const parameters = parameterMessages(record);
    if (parameters) return parameters;
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
