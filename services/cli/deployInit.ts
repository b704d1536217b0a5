/**
 * `npm run deploy:init`: prepares a production deployment for `docker compose up -d`.
 *
 *   --config <file>      the operator's energy configuration (required; --demo: config/demo.yaml)
 *   --passwords <file>   MQTT secrets, JSON {"<username>": "<password>"} (default MQTT_PASSWORDS_FILE)
 *   --smtp-url <url>     alert and report mail (default: notify.smtp of the configuration)
 *   --public-url <url>   the address users open (default http://localhost:8080)
 *   --dir <folder>       the deployment: the checkout holding docker-compose.yml (default: this project)
 *   --owner <uid[:gid]>  owner of the Mosquitto files (default 1883:1883, the eclipse-mosquitto
 *                        image's user; needs root); `--owner none` leaves them to the caller
 *   --demo               deploy the demo configuration on purpose (its passwords are public)
 *
 * Writes `<dir>/.env` (mode 0600) with generated secrets (InfluxDB admin password and token; the
 * service's MQTT password unless the configuration has a service account, whose password then
 * comes from the secrets file) and the Mosquitto listener files in `<dir>/deploy/mosquitto/`
 * (mode 0600, owner 1883). An existing `.env` is never overwritten: InfluxDB keeps the secrets it
 * was initialised with, so a second run stops before writing anything.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../config/load';
import { PROJECT_ROOT } from '../../config/paths';
import type { Config } from '../../config/schema';
import { parseOwner, writeListenerFiles, type FileOwner } from '../../ingest/mosquittoAuthCli';
import { demoPasswords, mosquittoAuthFiles, parsePasswordsJson, type MqttAccount } from '../../ingest/mosquittoAuthFiles';
import { sha256Hex } from '../core/security';
import { deployEnvText, generateSecret, type DeployEnv, type RandomSource } from './deployEnv';

/** The eclipse-mosquitto image runs the broker as this user and group. */
export const MOSQUITTO_IMAGE_OWNER: FileOwner = { uid: 1883, gid: 1883 };
/** The service account deploy:init creates when the configuration has none. */
export const GENERATED_SERVICE_USER = 'energy-monitor';

const USAGE = `usage: npm run deploy:init -- --config <energy.yaml> --passwords <secrets.json> [--smtp-url <url>] [--public-url <url>] [--dir <folder>] [--owner <uid[:gid]>|none] [--demo]`;

export interface DeployInitIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd?: string;
  /** Default crypto.randomBytes (secrets and Mosquitto salts). */
  readonly random?: RandomSource;
  readonly now?: () => Date;
  /** Default process.getuid(); chown to another user needs 0. */
  readonly uid?: number;
}

/** A usage problem or a refusal: the message tells the operator what to do; nothing was written. */
export class DeployInitError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'DeployInitError';
  }
}

function options(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        passwords: { type: 'string' },
        'smtp-url': { type: 'string' },
        'public-url': { type: 'string' },
        dir: { type: 'string' },
        owner: { type: 'string' },
        demo: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new DeployInitError((err as Error).message, 2);
  }
}

function readSecrets(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DeployInitError(`cannot read the MQTT secrets file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
  }
  return parsePasswordsJson(text, file);
}

/**
 * The accounts for Mosquitto and the service's own: the configuration's first service account
 * (its password from the secrets), or a generated `energy-monitor` account when it has none.
 */
function serviceAccount(
  config: Config,
  passwords: Record<string, string>,
  random: RandomSource,
): { accounts: MqttAccount[]; username: string; password: string; generated: boolean } {
  const accounts = [...config.auth.mqtt];
  const existing = accounts.find((a) => a.role === 'service');
  if (existing) {
    const password = passwords[existing.username];
    // mosquittoAuthFiles reports a missing or wrong password with every other account at fault
    return { accounts, username: existing.username, password: password ?? '', generated: false };
  }
  if (accounts.some((a) => a.username === GENERATED_SERVICE_USER)) {
    throw new DeployInitError(
      `auth.mqtt has a gateway named "${GENERATED_SERVICE_USER}" and no service account: add a service account (role: service) to the configuration`,
      1,
    );
  }
  const password = generateSecret(random);
  passwords[GENERATED_SERVICE_USER] = password;
  accounts.push({ username: GENERATED_SERVICE_USER, passwordSha256: sha256Hex(password), role: 'service' });
  return { accounts, username: GENERATED_SERVICE_USER, password, generated: true };
}

/** Creates `file` with `content` and mode 0600; fails if it exists (never replaces a secret). */
function writeNew(file: string, content: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs the command; returns the exit code (0 prepared, 1 refused or failed, 2 usage). */
export function runDeployInit(argv: readonly string[], env: NodeJS.ProcessEnv, io: DeployInitIo): number {
  const cwd = io.cwd ?? process.cwd();
  const random = io.random;
  try {
    const o = options(argv);
    if (o.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
    const root = path.resolve(cwd, nonEmpty(o.dir) ?? PROJECT_ROOT);
    const envFile = path.join(root, '.env');
    if (existsSync(envFile)) {
      throw new DeployInitError(
        `${envFile} exists: this deployment is prepared, and InfluxDB keeps the secrets it was initialised with, so nothing was written. After a change of MQTT accounts run \`npm run mqtt:acl\`; to rotate a secret see the README (Production stack)`,
        1,
      );
    }
    const configArg = nonEmpty(o.config) ?? (o.demo ? DEMO_CONFIG_PATH : undefined);
    if (configArg === undefined)
      throw new DeployInitError(
        '--config <energy.yaml> is required (the demo configuration only with --demo: its tokens and passwords are public)',
        2,
      );
    const configPath = path.resolve(cwd, configArg);
    if (configPath === path.resolve(DEMO_CONFIG_PATH) && !o.demo) {
      throw new DeployInitError(
        `${configPath} is the demo configuration, whose tokens and passwords are public: pass --demo to deploy it on purpose`,
        2,
      );
    }
    const owner = o.owner === 'none' ? undefined : o.owner === undefined ? MOSQUITTO_IMAGE_OWNER : parseOwner(o.owner);
    const uid = io.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
    if (owner && uid !== 0 && owner.uid !== uid) {
      throw new DeployInitError(
        `the Mosquitto files must belong to uid ${owner.uid} (the broker's user) and only root can give them away: run it with sudo, or pass --owner none and chown them yourself (nothing was written)`,
        1,
      );
    }

    const config = loadConfigFile(configPath);
    const smtpUrl = nonEmpty(o['smtp-url']) ?? config.notify.smtp;
    if (smtpUrl === undefined)
      throw new DeployInitError(
        'no mail server: pass --smtp-url smtp://user:password@host:587 (or set notify.smtp in the configuration); --smtp-url smtp://mailpit:1025 with `docker compose --profile mailpit up -d` only catches mail for a trial',
        2,
      );
    const secretsFile = nonEmpty(o.passwords) ?? nonEmpty(env.MQTT_PASSWORDS_FILE);
    if (secretsFile === undefined && !o.demo)
      throw new DeployInitError(
        'no MQTT passwords: give the secrets file with --passwords <file> or MQTT_PASSWORDS_FILE ({"<username>": "<password>"} for every gateway and service account of auth.mqtt)',
        2,
      );
    const passwords: Record<string, string> = {
      ...(o.demo ? demoPasswords(config.auth.mqtt) : {}),
      ...(secretsFile === undefined ? {} : readSecrets(path.resolve(cwd, secretsFile))),
    };
    const service = serviceAccount(config, passwords, random ?? randomBytes);
    const files = mosquittoAuthFiles({ auth: { ...config.auth, mqtt: service.accounts } }, passwords, { ...(random && { salt: random }) });

    const values: DeployEnv = {
      ENERGY_CONFIG_DIR: path.dirname(configPath),
      ENERGY_CONFIG: `/config/${path.basename(configPath)}`,
      MQTT_USERNAME: service.username,
      MQTT_PASSWORD: passwords[service.username]!,
      INFLUX_ADMIN_USER: 'admin',
      INFLUX_ADMIN_PASSWORD: generateSecret(random),
      INFLUX_ADMIN_TOKEN: generateSecret(random),
      INFLUX_ORG: 'energy',
      INFLUX_BUCKET: 'energy',
      SMTP_URL: smtpUrl,
      POSTGRES_PASSWORD: generateSecret(random),
      PUBLIC_URL: nonEmpty(o['public-url']) ?? 'http://localhost:8080',
      TZ: config.timezone,
    };
    const text = deployEnvText(values, (io.now ?? (() => new Date()))());
    const written = writeListenerFiles(path.join(root, 'deploy', 'mosquitto'), files, owner);
    writeNew(envFile, text);

    io.stdout(
      [
        `configuration: ${configPath}${o.demo ? ' (DEMO: public passwords)' : ''}`,
        `wrote ${envFile} (mode 0600): generated InfluxDB admin password and token${service.generated ? `, and the service's MQTT account "${service.username}" (the configuration has no service account)` : `; the service logs in as "${service.username}" (password from the secrets file)`}`,
        `wrote ${written.join(', ')} (mode 0600${owner ? `, owner ${owner.uid}:${owner.gid}` : ''})`,
        ...files.accounts.map((a) => `  ${a.username}  ${a.role}  ${a.grants.join(', ')}`),
        ...files.warnings.filter((w) => !service.generated || !/no service account/.test(w)).map((w) => `warning: ${w}`),
        // `npm run mqtt:acl` rewrites service.passwd from the configuration alone: without this entry it would drop the account
        ...(service.generated
          ? [
              `add the service account to auth.mqtt of ${configPath} before the next \`npm run mqtt:acl\`, and its password (MQTT_PASSWORD in .env) to your MQTT secrets file:`,
              `  - { username: ${service.username}, role: service, passwordSha256: ${sha256Hex(service.password)} }`,
            ]
          : []),
        `next: cd ${root} && docker compose up -d`,
      ].join('\n') + '\n',
    );
    return 0;
  } catch (err) {
    if (err instanceof DeployInitError) {
      io.stderr(`deploy:init: ${err.message}\n${err.exitCode === 2 ? `${USAGE}\n` : ''}`);
      return err.exitCode;
    }
    io.stderr(`deploy:init: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = runDeployInit(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
