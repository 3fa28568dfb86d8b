import { Redactor } from '../../src/engine/redact';

/** Bodies of 43 letters and digits, as PlanetScale's secrets have after their prefix. */
const PASSWORD_BODY = 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nPq3';
const TOKEN_BODY = 'Tk9mW2xQ7vR4nB8cL1pZ6sH3jD5fG0yE2uA9iO4kM7w';
const PASSWORD = `pscale_pw_${PASSWORD_BODY}`;
const TOKEN = `pscale_tkn_${TOKEN_BODY}`;

function redactorOf(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

describe('Redactor', () => {
  test.each([
    ['a password, whole', `password=${PASSWORD}`, 'password=[redacted]'],
    ['a token, whole', `export PLANETSCALE_SERVICE_TOKEN=${TOKEN}`, 'export PLANETSCALE_SERVICE_TOKEN=[redacted]'],
    ['a password body without its pscale_pw_ prefix', `the secret is ${PASSWORD_BODY}.`, 'the secret is [redacted].'],
    ['a token body without its pscale_tkn_ prefix', `"${TOKEN_BODY}"`, '"[redacted]"'],
    ['a run of 12 characters from inside a body', 'saw f6hIj9lMn2pQ in the log', 'saw [redacted] in the log'],
    ['the first 12 characters of a body', 'Ab3dEf6hIj9l…', '[redacted]…'],
    ['the last 12 characters of a body', 'ends fGh7jKl0nPq3', 'ends [redacted]'],
    ['a run holding part of a body, with what is glued to it', 'xyzf6hIj9lMn2pQ5tUv_more end', '[redacted] end'],
    ['a body split across lines, each part of 12 or more', `${PASSWORD_BODY.slice(0, 20)}\n${PASSWORD_BODY.slice(20)}`, '[redacted]\n[redacted]'],
    ['a secret in a URL', `mysql://user:${PASSWORD}@aws.connect.psdb.cloud/shop`, 'mysql://user:[redacted]@aws.connect.psdb.cloud/shop'],
    ['every secret added, each time it occurs', `${PASSWORD} ${TOKEN} ${PASSWORD}`, '[redacted] [redacted] [redacted]'],
  ])('removes %s', (_, text, expected) => {
    expect(redactorOf(PASSWORD, TOKEN).redact(text)).toBe(expected);
  });

  test.each([
    ['11 characters of a body (fewer than 12)', 'saw f6hIj9lMn2p in the log'],
    ['a body with every 12th character changed, so no 12 in a row match', `the secret is ${PASSWORD_BODY.slice(0, 11)}X${PASSWORD_BODY.slice(12, 23)}X${PASSWORD_BODY.slice(24, 35)}X${PASSWORD_BODY.slice(36)}`],
    ['text without secrets', 'created password app.access.1a2b3c4d.5e6f7a8b (pw1) on shop/main'],
    ['the prefixes alone', 'pscale_pw_ and pscale_tkn_ are prefixes'],
    ['empty text', ''],
  ])('leaves %s untouched', (_, text) => {
    expect(redactorOf(PASSWORD, TOKEN).redact(text)).toBe(text);
  });

  test('a short secret is matched whole, and so is its short body', () => {
    const redactor = redactorOf('pscale_pw_s3cr3t', 'hunter2');
    expect(redactor.redact('a=pscale_pw_s3cr3t b=s3cr3t c=hunter2 d=hunter')).toBe('a=[redacted] b=[redacted] c=[redacted] d=hunter');
  });

  test('a short secret is matched inside a longer word too', () => {
    expect(redactorOf('hunter2').redact('xhunter2x')).toBe('x[redacted]x');
  });

  test('a redactor without secrets, or given an empty one, changes nothing', () => {
    expect(new Redactor().redact(`password=${PASSWORD}`)).toBe(`password=${PASSWORD}`);
    expect(redactorOf('').redact('any text at all')).toBe('any text at all');
  });

  test('secrets added later are redacted from then on', () => {
    const redactor = redactorOf(PASSWORD);
    expect(redactor.redact(TOKEN)).toBe(TOKEN);
    redactor.add(TOKEN);
    expect(redactor.redact(TOKEN)).toBe('[redacted]');
  });
});
