/** A throwaway CA and a localhost server certificate signed by it, made with openssl, for TLS tests. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  /** CA certificate and key. */
  readonly ca: string;
  readonly caKey: string;
  /** localhost + 127.0.0.1, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
}

export function makeTestCertificates(dir: string): TestCertificates {
  const openssl = (args: string[]): void => {
    execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=energy-monitor test CA',
  ]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  const f = (name: string): string => path.join(dir, name);
  return { ca: f('ca.pem'), caKey: f('ca.key'), serverCert: f('server.pem'), serverKey: f('server.key') };
}
