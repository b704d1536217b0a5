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
import { checkBenchmarkReferences } from './benchmarkReferences';
import { configAsset } from './paths';
import { parseShard, shardLabel, ShardSpecError, type ShardSpec } from './shardSpec';

export interface ConfigProblem {
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

export class ConfigError extends Error {
  readonly code = 'invalid-config';
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
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
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: '(yaml)', line: e.linePos?.[0]?.line, message: e.message.split('\n')[0] ?? e.message })),
    );
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
    throw new ConfigError(
      file,
      parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), line: lineOf(i.path), message: i.message })),
    );
  }
  const problems = [...checkReferences(parsed.data), ...checkBenchmarkReferences(parsed.data)];
  if (problems.length > 0) {
    throw new ConfigError(
      file,
      problems.map((p) => ({ path: formatPath(p.path), line: lineOf(p.path), message: p.message })),
    );
  }
  return deepFreeze(parsed.data);
}

/**
 * The configuration file to load. The demo configuration (its tokens and MQTT passwords are
 * published in this repository) is the default only for a demo run: with NODE_ENV=production, or
 * with an external broker or store (MQTT_URL, INFLUX_URL), ENERGY_CONFIG must be set; naming the
 * demo file there explicitly is allowed (the process shell warns).
 */
export function configPathFromEnv(env: NodeJS.ProcessEnv): string {
  const explicit = env.ENERGY_CONFIG === undefined || env.ENERGY_CONFIG === '' ? undefined : env.ENERGY_CONFIG;
  if (explicit !== undefined) return explicit;
  const reasons = [
    env.NODE_ENV === 'production' && 'NODE_ENV=production',
    !!env.MQTT_URL && 'MQTT_URL is set',
    !!env.INFLUX_URL && 'INFLUX_URL is set',
    !!env.DATABASE_URL && 'DATABASE_URL is set',
  ].filter((r): r is string => typeof r === 'string');
  if (reasons.length > 0) {
    throw new ConfigError('(environment)', [
      {
        path: 'ENERGY_CONFIG',
        message: `not set, and this is not a demo run (${reasons.join(', ')}): the demo configuration's tokens and passwords are public, so it is never loaded by default here. Set ENERGY_CONFIG to your configuration file (or to ${DEMO_CONFIG_PATH} to run the demo on purpose)`,
      },
    ]);
  }
  return DEMO_CONFIG_PATH;
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
  /** MQTT_CLIENT_ID was given; otherwise the process shell makes the id unique per DATA_DIR (services/instanceId.ts). */
  readonly mqttClientIdExplicit?: boolean;
  readonly embeddedBrokerPort: number;
  /** Unset: use the embedded store under dataDir. */
  readonly influx?: { readonly url: string; readonly token?: string; readonly database: string; readonly org?: string };
  readonly smtpUrl?: string;
  /** DATABASE_URL: the state (alarms, quarantine, ledger, report revisions, lease) on PostgreSQL; unset: SQLite state.db under dataDir. */
  readonly databaseUrl?: string;
  readonly httpPort: number;
  /** Address the HTTP server binds (HTTP_HOST; default 127.0.0.1: set 0.0.0.0 to serve other hosts, as the container does). */
  readonly httpHost?: string;
  /** Address the embedded MQTT broker binds (MQTT_HOST; default 127.0.0.1: set 0.0.0.0 for gateways on the plant network). */
  readonly embeddedBrokerHost?: string;
  /** Express `trust proxy` (TRUST_PROXY): hops or addresses of the TLS-terminating proxy; unset: none trusted. */
  readonly trustProxy?: string;
  /** METRICS=public serves /metrics without a token; `token` (default) asks for a bearer token; `off` disables it. */
  readonly metrics?: MetricsAccess;
  readonly dataDir: string;
  readonly publicUrl: string;
  /** Scale-out (README "Scale-out"); all optional so that a plain single instance needs none. */
  /** Static shard of ingestion (`--shard i/N` or INGEST_SHARD): keep only this shard's meters. */
  readonly shard?: ShardSpec;
  /** MQTT 5 shared subscription group (MQTT_SHARED_GROUP): subscribe `$share/<group>/energy/#`. */
  readonly mqttSharedGroup?: string;
  /** `all` (default): ingest, HTTP, and rules and report jobs while holding the lease; `ingest`: no rules or report jobs. */
  readonly role?: Role;
  /** The ingest journal's directory name under dataDir (default `journal`, a shard's `journal-i-of-N`). */
  readonly journalDir?: string;
  /** Lease of the rules and report jobs (default 30 s, renewed every 10 s). */
  readonly leaseTtlMs?: number;
  readonly leaseRenewMs?: number;
}

export const METRICS_ACCESS = ['token', 'public', 'off'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

export const ROLES = ['all', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

function nonEmptyEnv(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError('(environment)', [{ path: name, message: `expected a port number, got "${value}"` }]);
  return n;
}

/** An explicit MQTT_CLIENT_ID is the base of a shard's id, so one setting serves every shard. */
function shardClientId(clientId: string | undefined, shard: ShardSpec | undefined): string | undefined {
  if (clientId === undefined || !shard) return clientId;
  return `${clientId}-shard-${shardLabel(shard)}`;
}

function positiveMs(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError('(environment)', [{ path: name, message: `expected a positive number of milliseconds, got "${value}"` }]);
  return n;
}

/** The scale-out settings: shard, shared group, role, journal and lease; every problem at once. */
function scaleOutFromEnv(env: NodeJS.ProcessEnv, mqttUrl: string | undefined, nonEmpty: (v: string | undefined) => string | undefined) {
  const problems: ConfigProblem[] = [];
  let shard: ShardSpec | undefined;
  const shardText = nonEmpty(env.INGEST_SHARD);
  if (shardText !== undefined) {
    try {
      shard = parseShard(shardText, 'INGEST_SHARD');
    } catch (err) {
      if (!(err instanceof ShardSpecError)) throw err;
      problems.push({ path: 'INGEST_SHARD', message: err.problem });
    }
  }
  const group = nonEmpty(env.MQTT_SHARED_GROUP);
  // MQTT 5: a share name is at least one character and contains no '/', '+' or '#' [MQTT-4.8.2-1, -2].
  if (group !== undefined && /[/+#]/.test(group))
    problems.push({ path: 'MQTT_SHARED_GROUP', message: `a shared subscription group may not contain "/", "+" or "#", got "${group}"` });
  if (shard && group !== undefined)
    problems.push({
      path: 'MQTT_SHARED_GROUP',
      message: 'INGEST_SHARD (--shard) and MQTT_SHARED_GROUP exclude each other: choose static shards or a shared subscription',
    });
  // Each instance would run its own embedded broker: the gateways reach one of them only.
  if ((shard || group !== undefined) && mqttUrl === undefined)
    problems.push({ path: shard ? 'INGEST_SHARD' : 'MQTT_SHARED_GROUP', message: 'scale-out needs an external broker: set MQTT_URL' });
  const roleText = nonEmpty(env.ROLE) ?? 'all';
  const role = ROLES.find((r) => r === roleText);
  if (!role) problems.push({ path: 'ROLE', message: `expected one of ${ROLES.join(', ')}, got "${roleText}"` });
  const journalDir = nonEmpty(env.JOURNAL_DIR) ?? (shard ? `journal-${shardLabel(shard)}` : 'journal');
  if (/[/\\]|^\.\.?$/.test(journalDir))
    problems.push({ path: 'JOURNAL_DIR', message: `expected a directory name under DATA_DIR, got "${journalDir}"` });
  let leaseTtlMs: number | undefined;
  let leaseRenewMs: number | undefined;
  try {
    leaseTtlMs = positiveMs(env.LEASE_TTL_MS, 'LEASE_TTL_MS');
    leaseRenewMs = positiveMs(env.LEASE_RENEW_MS, 'LEASE_RENEW_MS');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if ((leaseRenewMs ?? 10_000) >= (leaseTtlMs ?? 30_000))
    problems.push({ path: 'LEASE_RENEW_MS', message: 'the lease must be renewed more often than it lapses: LEASE_RENEW_MS < LEASE_TTL_MS' });
  if (problems.length > 0) throw new ConfigError('(environment)', problems);
  return {
    ...(shard && { shard }),
    ...(group !== undefined && { mqttSharedGroup: group }),
    role: role ?? 'all',
    journalDir,
    ...(leaseTtlMs !== undefined && { leaseTtlMs }),
    ...(leaseRenewMs !== undefined && { leaseRenewMs }),
  };
}

/** DATABASE_URL must be a PostgreSQL URL: a typo would otherwise surface as a connection error much later. */
function databaseUrl(text: string): string {
  let protocol = '';
  try {
    protocol = new URL(text).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new ConfigError('(environment)', [
      {
        path: 'DATABASE_URL',
        message: 'expected a PostgreSQL URL, postgres://user:password@host:5432/database (unset it to keep the state in DATA_DIR/state.db)',
      },
    ]);
  return text;
}

export function connectionsFromEnv(env: NodeJS.ProcessEnv, config: Config, cwd = process.cwd()): Connections {
  const configPath = nonEmptyEnv(env.ENERGY_CONFIG) ?? DEMO_CONFIG_PATH;
  const httpPort = port(env.HTTP_PORT, 8080, 'HTTP_PORT');
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const influxUrl = nonEmpty(env.INFLUX_URL);
  const metricsText = nonEmpty(env.METRICS) ?? 'token';
  const metrics = METRICS_ACCESS.find((m) => m === metricsText);
  if (!metrics)
    throw new ConfigError('(environment)', [{ path: 'METRICS', message: `expected one of ${METRICS_ACCESS.join(', ')}, got "${metricsText}"` }]);
  const trustProxy = nonEmpty(env.TRUST_PROXY);
  const scaleOut = scaleOutFromEnv(env, nonEmpty(env.MQTT_URL), nonEmpty);
  // Instances sharing a broker need a session each: a shard's default id carries its shard.
  const defaultClientId = scaleOut.shard ? `energy-monitor-ingest-shard-${shardLabel(scaleOut.shard)}` : 'energy-monitor-ingest';
  return {
    ...scaleOut,
    configPath,
    isDemo: path.resolve(configPath) === path.resolve(DEMO_CONFIG_PATH),
    mqttUrl: nonEmpty(env.MQTT_URL),
    mqttUsername: nonEmpty(env.MQTT_USERNAME),
    mqttPassword: nonEmpty(env.MQTT_PASSWORD),
    mqttClientId: shardClientId(nonEmpty(env.MQTT_CLIENT_ID), scaleOut.shard) ?? defaultClientId,
    ...(nonEmpty(env.MQTT_CLIENT_ID) !== undefined && { mqttClientIdExplicit: true }),
    embeddedBrokerPort: port(env.MQTT_PORT, 1883, 'MQTT_PORT'),
    influx: influxUrl
      ? {
          url: influxUrl,
          token: nonEmpty(env.INFLUX_TOKEN),
          database: nonEmpty(env.INFLUX_DATABASE) ?? nonEmpty(env.INFLUX_BUCKET) ?? 'energy',
          org: nonEmpty(env.INFLUX_ORG),
        }
      : undefined,
    smtpUrl: nonEmpty(env.SMTP_URL) ?? config.notify.smtp,
    ...(nonEmpty(env.DATABASE_URL) !== undefined && { databaseUrl: databaseUrl(nonEmpty(env.DATABASE_URL) ?? '') }),
    httpPort,
    httpHost: nonEmpty(env.HTTP_HOST) ?? '127.0.0.1',
    embeddedBrokerHost: nonEmpty(env.MQTT_HOST) ?? '127.0.0.1',
    ...(trustProxy !== undefined && { trustProxy }),
    metrics,
    dataDir: path.resolve(cwd, nonEmpty(env.DATA_DIR) ?? 'data'),
    publicUrl: nonEmpty(env.PUBLIC_URL) ?? `http://localhost:${httpPort}`,
  };
}
