/**
 * The `.env` of a production deployment (docker-compose.yml reads it): the secrets
 * `npm run deploy:init` generates and the settings it takes from the operator. Pure: values in,
 * file text out; the CLI (deployInit.ts) writes it.
 *
 * Every variable the compose file requires (`${VAR:?}`) is here, so `docker compose up -d` starts
 * with this file and nothing else; a placeholder never reaches a container.
 */
import { randomBytes } from 'node:crypto';

/** Returns `n` random bytes; injected for deterministic output in tests. */
export type RandomSource = (n: number) => Buffer;

/** A secret of 32 random bytes as base64url (43 characters, no padding, safe in .env and URLs). */
export function generateSecret(random: RandomSource = randomBytes): string {
  return random(32).toString('base64url');
}

export interface DeployEnv {
  /** Host folder holding the operator's configuration (mounted read-only at /config). */
  readonly ENERGY_CONFIG_DIR: string;
  /** The configuration file inside the container, /config/<name>. */
  readonly ENERGY_CONFIG: string;
  readonly MQTT_USERNAME: string;
  readonly MQTT_PASSWORD: string;
  readonly INFLUX_ADMIN_USER: string;
  readonly INFLUX_ADMIN_PASSWORD: string;
  readonly INFLUX_ADMIN_TOKEN: string;
  readonly INFLUX_ORG: string;
  readonly INFLUX_BUCKET: string;
  readonly SMTP_URL: string;
  /** The state database's password (PostgreSQL user `energy`, database `energy`). */
  readonly POSTGRES_PASSWORD: string;
  readonly PUBLIC_URL: string;
  readonly TZ: string;
}

/** The order and the comment of each variable in the file. */
const LAYOUT: readonly { key: keyof DeployEnv; comment: string }[] = [
  { key: 'ENERGY_CONFIG_DIR', comment: "the operator's configuration folder, mounted read-only at /config" },
  { key: 'ENERGY_CONFIG', comment: 'the configuration file inside the container' },
  { key: 'MQTT_USERNAME', comment: "the service's MQTT account (deploy/mosquitto/service.passwd holds its salted hash)" },
  { key: 'MQTT_PASSWORD', comment: '' },
  {
    key: 'INFLUX_ADMIN_USER',
    comment: "InfluxDB's first user, organisation, bucket and all-access token: used once, at its first start, and by the influxdb-token step",
  },
  { key: 'INFLUX_ADMIN_PASSWORD', comment: '' },
  { key: 'INFLUX_ADMIN_TOKEN', comment: 'all-access: never given to the service (it gets a read/write token for the bucket only)' },
  { key: 'INFLUX_ORG', comment: '' },
  { key: 'INFLUX_BUCKET', comment: '' },
  { key: 'SMTP_URL', comment: 'alert and report mail (smtp://user:password@host:587 or smtps://...:465)' },
  { key: 'POSTGRES_PASSWORD', comment: 'the state database (alarms, quarantine, ledger, report revisions, the rules lease): PostgreSQL user energy' },
  { key: 'PUBLIC_URL', comment: 'the address users open, for links in mail' },
  { key: 'TZ', comment: '' },
];

/** A value the compose file would read back unchanged: no newline, no quote or `$` to interpret. */
function checkValue(key: string, value: string): void {
  if (value === '') throw new Error(`${key}: empty value`);
  if (/[\n\r"'$`\\]/.test(value) || value.trim() !== value) {
    throw new Error(`${key}: the value may not contain quotes, "$", backslashes, line breaks or surrounding spaces (docker compose would change it)`);
  }
}

export function deployEnvText(env: DeployEnv, writtenAt: Date): string {
  const lines = [
    `# Written by \`npm run deploy:init\` at ${writtenAt.toISOString()}. Secrets: keep this file (mode 0600,`,
    '# git-ignored) and back it up with the volumes; InfluxDB was initialised with these values.',
    '# docker-compose.yml refuses to start without each of them.',
  ];
  for (const { key, comment } of LAYOUT) {
    checkValue(key, env[key]);
    if (comment !== '') lines.push(`# ${comment}`);
    lines.push(`${key}=${env[key]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `KEY=value` lines of a .env file (comments and blank lines skipped); no quoting or expansion. */
export function parseEnvText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
