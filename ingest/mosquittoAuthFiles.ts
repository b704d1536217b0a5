/**
 * Mosquitto's password file and ACL file from the `auth.mqtt` accounts of the configuration
 * (contract 3). Pure: configuration + plaintext passwords (+ a salt source) -> file texts.
 *
 * The configuration keeps only SHA-256 hashes of the passwords, while Mosquitto needs its own
 * salted hash of the plaintext, so the plaintext comes from a secrets source and each password is
 * checked against the configuration's `passwordSha256` first: a file that does not match the
 * configuration is never written. Errors name accounts, never passwords.
 *
 * Password file line (mosquitto 2.0, as `mosquitto_passwd` writes it):
 *   username:$7$101$<base64 12-byte salt>$<base64 PBKDF2-HMAC-SHA512(password, salt, 101, 64 bytes)>
 *
 * ACL (Mosquitto denies everything an acl_file does not grant): a gateway account may write
 * energy/<enterprise> and energy/<enterprise>/#; a service account may read energy/#.
 *
 * The shipped broker (deploy/mosquitto/mosquitto.conf) has one listener for gateways and one for
 * the service, each with its own password file and ACL (`per_listener_settings true`), so a
 * gateway's password never opens the service listener. The gateway listener sets
 * `use_username_as_clientid true`: a gateway's client id is its user name, whatever it sends, so
 * it cannot take over (and wipe the persistent session of) the service's client id. The service's
 * ids start with `energy-monitor-`, so a gateway user name in that namespace is refused here.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema';
import { matchSecret } from '../services/core/security';

export type MqttAccount = Config['auth']['mqtt'][number];

/** Mosquitto 2.0's `$7$` parameters (mosquitto_passwd's defaults). */
export const MOSQUITTO_PBKDF2 = { id: 7, iterations: 101, saltBytes: 12, keyBytes: 64, digest: 'sha512' } as const;

/** Returns `n` random bytes; injected for deterministic output in tests. */
export type SaltSource = (n: number) => Buffer;

export const DEMO_PASSWORD_SUFFIX = '-demo';

/**
 * The service's MQTT client ids (`energy-monitor-ingest`, `...-shard-i-of-N`, per-instance ids)
 * start with this. A gateway's client id is its user name on the gateway listener, so no gateway
 * user name may start with it (compared case-insensitively, to keep look-alikes out too).
 */
export const SERVICE_CLIENT_ID_PREFIX = 'energy-monitor';

export interface PasswordProblem {
  readonly username: string;
  /** `missing`: no password given; `mismatch`: it does not hash to the configured passwordSha256. */
  readonly problem: 'missing' | 'mismatch';
  readonly message: string;
}

/** Every account whose password is missing or wrong, listed at once; never shows a password. */
export class MqttPasswordError extends Error {
  readonly code = 'mqtt-password-mismatch';
  constructor(readonly problems: readonly PasswordProblem[]) {
    super(`MQTT passwords do not match the configuration (nothing written):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'MqttPasswordError';
  }
}

/** The configuration cannot be turned into Mosquitto files (e.g. a user name Mosquitto cannot store). */
export class MqttAuthConfigError extends Error {
  readonly code = 'mqtt-auth-config';
  constructor(readonly problems: readonly string[]) {
    super(`cannot write Mosquitto's files:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MqttAuthConfigError';
  }
}

export interface AclOptions {
  /** Also let a gateway read its own prefix (`topic readwrite`); default write only. */
  readonly gatewayRead?: boolean;
}

export interface AccountSummary {
  readonly username: string;
  readonly role: MqttAccount['role'];
  readonly enterprise?: string;
  /** The ACL lines granted to it, e.g. `write energy/alu01/#`. */
  readonly grants: readonly string[];
}

/** The password file and ACL of one listener. */
export interface ListenerFiles {
  readonly passwd: string;
  readonly acl: string;
}

/** File names in the Mosquitto configuration folder (deploy/mosquitto/mosquitto.conf names them). */
export const LISTENER_FILE_NAMES = {
  gateways: { passwd: 'gateways.passwd', acl: 'gateways.acl' },
  service: { passwd: 'service.passwd', acl: 'service.acl' },
} as const;

export interface MosquittoAuthFiles {
  /** All accounts in one `password_file`: for a single-listener broker (tests, the benchmark). */
  readonly passwd: string;
  /** All accounts in one `acl_file`: for a single-listener broker (tests, the benchmark). */
  readonly acl: string;
  /** The shipped two-listener layout: gateway accounts only, and service accounts only. */
  readonly listeners: { readonly gateways: ListenerFiles; readonly service: ListenerFiles };
  readonly accounts: readonly AccountSummary[];
  /** Not errors, but worth telling the operator (e.g. no service account). */
  readonly warnings: readonly string[];
}

export interface GenerateOptions extends AclOptions {
  /** Default: crypto.randomBytes. */
  readonly salt?: SaltSource;
}

/** One password-file line in Mosquitto 2.0's `$7$` format. */
export function mosquittoPasswordLine(username: string, password: string, salt: Buffer): string {
  if (salt.length === 0) throw new Error('empty salt');
  const hash = pbkdf2Sync(password, salt, MOSQUITTO_PBKDF2.iterations, MOSQUITTO_PBKDF2.keyBytes, MOSQUITTO_PBKDF2.digest);
  return `${username}:$${MOSQUITTO_PBKDF2.id}$${MOSQUITTO_PBKDF2.iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Checks a password against one password-file line (`$7$` format), as Mosquitto does; returns
 * undefined when the line is not in that format.
 */
export function verifyMosquittoPasswordLine(line: string, username: string, password: string): boolean | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(line.slice(colon + 1).trim());
  if (!m) return undefined;
  const expected = Buffer.from(m[3]!, 'base64');
  const actual = pbkdf2Sync(password, Buffer.from(m[2]!, 'base64'), Number(m[1]), expected.length, 'sha512');
  return line.slice(0, colon) === username && expected.length > 0 && timingSafeEqual(actual, expected);
}

/** The demo configuration's convention (config/demo.yaml): the password of `<name>` is `<name>-demo`. */
export function demoPasswords(accounts: readonly MqttAccount[]): Record<string, string> {
  return Object.fromEntries(accounts.map((a) => [a.username, `${a.username}${DEMO_PASSWORD_SUFFIX}`]));
}

/**
 * Parses the secrets file: a JSON object username -> password. `source` names it in messages.
 * Errors never quote the file's content (it holds passwords).
 */
export function parsePasswordsJson(text: string, source: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error (passwords): keep only the position, and no cause.
    const at = /position (\d+)/.exec((err as Error).message);
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`${source}: not valid JSON${at ? ` (at character ${at[1]})` : ''}; expected an object {"<username>": "<password>", ...}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source}: expected a JSON object {"<username>": "<password>", ...}`);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const bad = entries.filter(([, v]) => typeof v !== 'string' || v === '').map(([k]) => JSON.stringify(k));
  if (bad.length > 0) throw new Error(`${source}: the password of ${bad.join(', ')} must be a non-empty string`);
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Accounts whose password is missing from `passwords` or does not hash to its passwordSha256. */
export function checkPasswords(accounts: readonly MqttAccount[], passwords: Readonly<Record<string, string>>): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  accounts.forEach((account, i) => {
    const password = Object.prototype.hasOwnProperty.call(passwords, account.username) ? passwords[account.username] : undefined;
    if (password === undefined) {
      problems.push({ username: account.username, problem: 'missing', message: `${account.username}: no password given (auth.mqtt[${i}])` });
    } else if (matchSecret(password, [account], (a) => a.passwordSha256) === undefined) {
      problems.push({
        username: account.username,
        problem: 'mismatch',
        message: `${account.username}: the password given does not match auth.mqtt[${i}].passwordSha256`,
      });
    }
  });
  return problems;
}

/** User names Mosquitto's files cannot hold: `:` splits a password line, whitespace is trimmed, a newline ends a line. */
export function checkUsernames(accounts: readonly MqttAccount[]): string[] {
  const problems: string[] = [];
  accounts.forEach((a, i) => {
    const name = JSON.stringify(a.username);
    // eslint-disable-next-line no-control-regex
    if (/[:\u0000-\u001f\u007f]/.test(a.username))
      problems.push(`auth.mqtt[${i}].username ${name}: a Mosquitto user name may not contain ":" or control characters`);
    else if (a.username.trim() !== a.username)
      problems.push(`auth.mqtt[${i}].username ${name}: a Mosquitto user name may not begin or end with white space`);
    if (a.role === 'gateway' && a.enterprise === undefined) problems.push(`auth.mqtt[${i}] (${name}): a gateway account must name its enterprise`);
    if (a.role === 'gateway' && a.username.toLowerCase().startsWith(SERVICE_CLIENT_ID_PREFIX)) {
      problems.push(
        `auth.mqtt[${i}].username ${name}: a gateway user name may not start with "${SERVICE_CLIENT_ID_PREFIX}" (a gateway's client id is its user name, and the service's client ids start with it)`,
      );
    }
  });
  return problems;
}

function grantsOf(account: MqttAccount, options: AclOptions): string[] {
  if (account.role === 'service') return ['read energy/#'];
  const access = options.gatewayRead ? 'readwrite' : 'write';
  return [`${access} energy/${account.enterprise ?? ''}`, `${access} energy/${account.enterprise ?? ''}/#`];
}

/** The ACL file: one `user` block per account, in the configuration's order. */
export function mosquittoAclText(accounts: readonly MqttAccount[], options: AclOptions = {}): string {
  const lines = [
    '# Mosquitto ACL generated by `npm run mqtt:acl` (or `npm run deploy:init`) from the auth.mqtt section of the configuration.',
    '# Do not edit: change the configuration and run it again. Everything not granted here is denied.',
  ];
  if (accounts.length === 0) lines.push('# (no accounts of this kind: nobody may publish or subscribe on this listener)');
  for (const account of accounts) {
    lines.push(
      '',
      account.role === 'service'
        ? '# service account: reads every enterprise'
        : `# gateway of enterprise ${account.enterprise ?? '?'}: publishes only under its own prefix`,
    );
    lines.push(`user ${account.username}`);
    for (const grant of grantsOf(account, options)) lines.push(`topic ${grant}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Both files for the configuration's accounts. Throws MqttPasswordError (every missing or wrong
 * password) or MqttAuthConfigError; writes nothing itself.
 */
export function mosquittoAuthFiles(
  config: Pick<Config, 'auth'>,
  passwords: Readonly<Record<string, string>>,
  options: GenerateOptions = {},
): MosquittoAuthFiles {
  const accounts = config.auth.mqtt;
  if (accounts.length === 0)
    throw new MqttAuthConfigError(['auth.mqtt has no accounts: with allow_anonymous false Mosquitto would refuse every client']);
  const nameProblems = checkUsernames(accounts);
  if (nameProblems.length > 0) throw new MqttAuthConfigError(nameProblems);
  const problems = checkPasswords(accounts, passwords);
  if (problems.length > 0) throw new MqttPasswordError(problems);

  const salt = options.salt ?? randomBytes;
  const lines = new Map(
    accounts.map((a) => [a.username, mosquittoPasswordLine(a.username, passwords[a.username]!, salt(MOSQUITTO_PBKDF2.saltBytes))]),
  );
  const fileOf = (subset: readonly MqttAccount[]): ListenerFiles => ({
    passwd: subset.map((a) => `${lines.get(a.username)!}\n`).join(''),
    acl: mosquittoAclText(subset, options),
  });
  const passwd = [...lines.values()].join('\n');
  const warnings: string[] = [];
  if (!accounts.some((a) => a.role === 'service'))
    warnings.push('no service account (role: service): no client may read energy/#, so the energy-monitor service cannot subscribe');
  return {
    passwd: `${passwd}\n`,
    acl: mosquittoAclText(accounts, options),
    listeners: { gateways: fileOf(accounts.filter((a) => a.role !== 'service')), service: fileOf(accounts.filter((a) => a.role === 'service')) },
    accounts: accounts.map((a) => ({
      username: a.username,
      role: a.role,
      ...(a.enterprise !== undefined && { enterprise: a.enterprise }),
      grants: grantsOf(a, options),
    })),
    warnings,
  };
}
