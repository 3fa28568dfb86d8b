import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The files of the emulator's own certificate authority and of the server certificate it issued. */
export interface TlsFiles {
  /** The CA certificate (PEM): what a client trusts, e.g. through NODE_EXTRA_CA_CERTS or `sslrootcert`. */
  readonly caFile: string;
  /** The server certificate (PEM), for `address` as an IP subject alternative name. */
  readonly certFile: string;
  /** The server's private key (PEM, mode 0600). */
  readonly keyFile: string;
}

/**
 * Makes a throwaway certificate authority and a server certificate for `address` in `directory`, with the system's
 * `openssl` (there on every machine that has MariaDB or PostgreSQL: both link it). The CA key never leaves the
 * directory, which is removed with the servers; certificates last 30 days, longer than any emulator runs.
 */
export async function issueServerCertificate(directory: string, address: string): Promise<TlsFiles> {
  const file = (name: string) => join(directory, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '30', '-subj', '/CN=planetscale-cdktf emulator CA']);
  await openssl(['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${address}`]);
  // The address as an IP SAN: clients verify the host of the connection string against it (verify-full, VERIFY_IDENTITY).
  writeFileSync(file('server.ext'), `subjectAltName=IP:${address}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  await openssl([
    'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '30', '-extfile', file('server.ext'),
  ]);
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('--databases needs the openssl command to issue the servers\' TLS certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${(failure.stderr ?? failure.message).trim().split('\n').pop()}`);
  }
}
