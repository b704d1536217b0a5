/**
 * `npm run mqtt:acl`: writes Mosquitto's password files and ACL files from the configuration's
 * `auth.mqtt` accounts (see ingest/mosquittoAuthFiles.ts): `gateways.passwd` + `gateways.acl` for
 * the gateway listener, `service.passwd` + `service.acl` for the service listener
 * (deploy/mosquitto/mosquitto.conf). `npm run deploy:init` writes the same files for a new
 * deployment; this command rewrites them after a change of accounts or passwords.
 *
 *   --config <file>      configuration (default: ENERGY_CONFIG, else config/demo.yaml)
 *   --passwords <file>   secrets: JSON object username -> plaintext password (default: MQTT_PASSWORDS_FILE)
 *   --demo               use the demo convention, password "<username>-demo", for accounts the
 *                        secrets file does not name (implied for config/demo.yaml)
 *   --out <dir>          output folder (default: deploy/mosquitto/ of the project)
 *   --gateway-read       also let each gateway read its own prefix (default: write only)
 *   --owner <uid[:gid]>  chown the files (e.g. 1883:1883, the eclipse-mosquitto image's user; needs root)
 *
 * Every password is checked against the configuration's passwordSha256 before anything is
 * written; a mismatch lists every account at fault and exits 1. The files are written with mode
 * 0600, each atomically (temporary file + rename). Nothing secret is printed.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../config/load';
import { PROJECT_ROOT } from '../config/paths';
import {
  demoPasswords,
  LISTENER_FILE_NAMES,
  mosquittoAuthFiles,
  parsePasswordsJson,
  type MosquittoAuthFiles,
  type SaltSource,
} from './mosquittoAuthFiles';

export const DEFAULT_OUT_DIR = path.join(PROJECT_ROOT, 'deploy', 'mosquitto');
export const FILE_MODE = 0o600;

const USAGE = `usage: npm run mqtt:acl -- [--config <file>] [--passwords <file>] [--demo] [--out <dir>] [--gateway-read] [--owner <uid[:gid]>]
  secrets file (--passwords or MQTT_PASSWORDS_FILE): {"<username>": "<password>", ...}`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Default: process.cwd(). */
  readonly cwd?: string;
  /** Default: crypto.randomBytes. */
  readonly salt?: SaltSource;
}

class UsageError extends Error {}

export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

export function parseOwner(value: string): FileOwner {
  const m = /^(\d+)(?::(\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--owner expects <uid> or <uid>:<gid> (numbers), got "${value}"`);
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

export function writeAtomically(file: string, content: string, owner: FileOwner | undefined): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content, { mode: FILE_MODE });
    chmodSync(tmp, FILE_MODE); // the umask may have narrowed it; never wider than 0600
    if (owner) chownSync(tmp, owner.uid, owner.gid);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the four listener files into `outDir` (mode 0600, `owner` if given); returns their paths.
 * Mosquitto reads them after the last rename, so write them all before signalling it (SIGHUP).
 */
export function writeListenerFiles(outDir: string, files: MosquittoAuthFiles, owner: FileOwner | undefined): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const listener of ['gateways', 'service'] as const) {
    for (const kind of ['passwd', 'acl'] as const) {
      const file = path.join(outDir, LISTENER_FILE_NAMES[listener][kind]);
      writeAtomically(file, files.listeners[listener][kind], owner);
      written.push(file);
    }
  }
  return written;
}

function parseOptions(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        passwords: { type: 'string' },
        demo: { type: 'boolean', default: false },
        out: { type: 'string' },
        'gateway-read': { type: 'boolean', default: false },
        owner: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs the command; returns the process exit code (0 written, 1 refused or failed, 2 usage). */
export function runMosquittoAuthCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  try {
    const parsed = parseOptions(argv);
    if (parsed.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
    const configPath = path.resolve(cwd, nonEmpty(parsed.config) ?? nonEmpty(env.ENERGY_CONFIG) ?? DEMO_CONFIG_PATH);
    const passwordsPath = nonEmpty(parsed.passwords) ?? nonEmpty(env.MQTT_PASSWORDS_FILE);
    const outDir = path.resolve(cwd, nonEmpty(parsed.out) ?? DEFAULT_OUT_DIR);
    const owner = parsed.owner === undefined ? undefined : parseOwner(parsed.owner);
    const isDemoConfig = configPath === path.resolve(DEMO_CONFIG_PATH);
    const useDemo = parsed.demo || isDemoConfig;

    const config = loadConfigFile(configPath);
    if (passwordsPath === undefined && !useDemo) {
      throw new UsageError(
        `no MQTT passwords: give the secrets file with --passwords <file> or MQTT_PASSWORDS_FILE (${configPath} is not the demo configuration; --demo uses "<username>-demo")`,
      );
    }
    let fromFile: Record<string, string> = {};
    if (passwordsPath !== undefined) {
      const file = path.resolve(cwd, passwordsPath);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`cannot read the MQTT secrets file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
          cause: err,
        });
      }
      fromFile = parsePasswordsJson(text, file);
    }
    const passwords = { ...(useDemo ? demoPasswords(config.auth.mqtt) : {}), ...fromFile };
    const files = mosquittoAuthFiles(config, passwords, { gatewayRead: parsed['gateway-read'], ...(io.salt && { salt: io.salt }) });

    const written = writeListenerFiles(outDir, files, owner);

    const known = new Set(config.auth.mqtt.map((a) => a.username));
    const unused = Object.keys(fromFile).filter((u) => !known.has(u));
    const width = Math.max(...files.accounts.map((a) => a.username.length));
    const sources = [
      passwordsPath !== undefined && `secrets file ${path.resolve(cwd, passwordsPath)}`,
      useDemo && `demo convention "<username>-demo"${isDemoConfig ? ' (demo configuration)' : ''}`,
    ]
      .filter(Boolean)
      .join(' + ');
    const lines = [
      `configuration: ${configPath}`,
      `passwords: ${sources}; all ${files.accounts.length} checked against passwordSha256`,
      `wrote ${written.join(', ')} (mode 0600${owner ? `, owner ${owner.uid}:${owner.gid}` : ''}):`,
      ...files.accounts.map((a) => `  ${a.username.padEnd(width)}  ${a.role.padEnd(7)}  ${a.grants.join(', ')}`),
      ...(unused.length > 0 ? [`note: the secrets file also names ${unused.join(', ')}, not in auth.mqtt: ignored`] : []),
      ...files.warnings.map((w) => `warning: ${w}`),
      'a running Mosquitto rereads both files on SIGHUP (docker-compose kill -s HUP mosquitto)',
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`mqtt:acl: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`mqtt:acl: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = runMosquittoAuthCli(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
