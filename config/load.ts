/**
 * Loads the YAML configuration, validates it (schema plus cross-references) and applies the
 * connection overrides from the environment (contract 3). Every problem is reported at once with
 * its path in the file and its line; nothing is half-applied.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema';
import { checkReferences } from './references';
import { configAsset } from './paths';

export interface ConfigProblem { readonly path: string; readonly line?: number; readonly message: string }

export class ConfigError extends Error {
  readonly code = 'invalid-config';
  constructor(readonly file: string, readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  - ${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEMO_CONFIG_PATH = configAsset('demo.yaml');

function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${String(s)}` : String(s);
  return out || '(root)';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parses and validates configuration text; `file` is only used in messages. */
export function parseConfig(text: string, file = '<config>'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '(yaml)', line: e.linePos?.[0]?.line, message: e.message.split('\n')[0] ?? e.message })));
  }
  const lineOf = (segments: readonly PropertyKey[]): number | undefined => {
    for (let n = segments.length; n >= 0; n--) {
      const node: unknown = doc.getIn(segments.slice(0, n) as unknown[], true);
      if (node && typeof node === 'object' && 'range' in node) {
        const range = (node as { range?: [number, number, number] }).range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    return undefined;
  };
  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), line: lineOf(i.path), message: i.message })));
  }
  const problems = checkReferences(parsed.data);
  if (problems.length > 0) {
    throw new ConfigError(file, problems.map((p) => ({ path: formatPath(p.path), line: lineOf(p.path), message: p.message })));
  }
  return deepFreeze(parsed.data);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file);
}

/** Connection settings: from the environment, with embedded defaults (contract 3). */
export interface Connections {
  readonly configPath: string;
  readonly isDemo: boolean;
  /** Unset: run the embedded MQTT broker. */
  readonly mqttUrl?: string;
  readonly mqttUsername?: string;
  readonly mqttPassword?: string;
  /** The ingest client's id: the broker keeps its persistent session under it. */
  readonly mqttClientId: string;
  readonly embeddedBrokerPort: number;
  /** Unset: use the embedded store under dataDir. */
  readonly influx?: { readonly url: string; readonly token?: string; readonly database: string; readonly org?: string };
  readonly smtpUrl?: string;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly publicUrl: string;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError('(environment)', [{ path: name, message: `expected a port number, got "${value}"` }]);
  return n;
}

export function connectionsFromEnv(env: NodeJS.ProcessEnv, config: Config, cwd = process.cwd()): Connections {
  const configPath = env.ENERGY_CONFIG ?? DEMO_CONFIG_PATH;
  const httpPort = port(env.HTTP_PORT, 8080, 'HTTP_PORT');
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const influxUrl = nonEmpty(env.INFLUX_URL);
  return {
    configPath,
    isDemo: path.resolve(configPath) === path.resolve(DEMO_CONFIG_PATH),
    mqttUrl: nonEmpty(env.MQTT_URL),
    mqttUsername: nonEmpty(env.MQTT_USERNAME),
    mqttPassword: nonEmpty(env.MQTT_PASSWORD),
    mqttClientId: nonEmpty(env.MQTT_CLIENT_ID) ?? 'energy-monitor-ingest',
    embeddedBrokerPort: port(env.MQTT_PORT, 1883, 'MQTT_PORT'),
    influx: influxUrl
      ? { url: influxUrl, token: nonEmpty(env.INFLUX_TOKEN), database: nonEmpty(env.INFLUX_DATABASE) ?? nonEmpty(env.INFLUX_BUCKET) ?? 'energy', org: nonEmpty(env.INFLUX_ORG) }
      : undefined,
    smtpUrl: nonEmpty(env.SMTP_URL) ?? config.notify.smtp,
    httpPort,
    dataDir: path.resolve(cwd, nonEmpty(env.DATA_DIR) ?? 'data'),
    publicUrl: nonEmpty(env.PUBLIC_URL) ?? `http://localhost:${httpPort}`,
  };
}
