/** Starts the whole service in-process for a test: free ports, a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connections } from '../../config/load';
import type { Config } from '../../config/schema';
import { App } from '../../services/app';
import { createLogger, silentLogger } from '../../services/core/log';
import { sha256Hex } from '../../services/core/security';

export const TOKENS = {
  admin: 'test-admin-token',
  officer: 'test-officer-token',
  auditor: 'test-auditor-token',
  alu01: 'test-alu01-token',
} as const;

export const MQTT_PASSWORDS = { alu01: 'alu01-secret', cem01: 'cem01-secret' } as const;

export function authSection(): Config['auth'] {
  return {
    tokens: [
      { name: 'admin', role: 'admin', sha256: sha256Hex(TOKENS.admin) },
      { name: 'officer', role: 'officer', sha256: sha256Hex(TOKENS.officer) },
      { name: 'auditor', role: 'auditor', sha256: sha256Hex(TOKENS.auditor) },
      { name: 'alu01-manager', role: 'enterprise', enterprise: 'alu01', sha256: sha256Hex(TOKENS.alu01) },
    ],
    mqtt: [
      { username: 'alu01', passwordSha256: sha256Hex(MQTT_PASSWORDS.alu01), enterprise: 'alu01', role: 'gateway' },
      { username: 'cem01', passwordSha256: sha256Hex(MQTT_PASSWORDS.cem01), enterprise: 'cem01', role: 'gateway' },
    ],
  };
}

export interface RunningApp {
  readonly app: App;
  readonly baseUrl: string;
  readonly mqttUrl: string;
  readonly dataDir: string;
  /** `token` defaults to the admin token; pass null to send none. */
  get(pathAndQuery: string, token?: string | null): Promise<{ status: number; body: unknown }>;
  post(pathAndQuery: string, body: unknown, token?: string | null): Promise<{ status: number; body: unknown }>;
  put(pathAndQuery: string, body: unknown, token?: string | null): Promise<{ status: number; body: unknown }>;
  /** Waits until the pipeline has processed everything MQTT delivered so far, and the store's day rollups have caught up. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startApp(
  config: Config,
  overrides: Partial<Connections> = {},
  options: { now?: () => number; dataDir?: string; clientId?: string } = {},
): Promise<RunningApp> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'energy-app-'));
  const connections: Connections = {
    configPath: 'test',
    isDemo: false,
    embeddedBrokerPort: 0,
    mqttClientId: options.clientId ?? `energy-monitor-test-${process.pid}-${Math.random()}`,
    httpPort: 0,
    dataDir,
    publicUrl: 'http://localhost',
    ...overrides,
  };
  const logger = process.env.TEST_LOGS ? createLogger({ level: 'debug' }) : silentLogger();
  const app = new App({ config, connections, simulate: false }, { logger, ...(options.now && { now: options.now }) });
  await app.start();
  const baseUrl = `http://127.0.0.1:${app.http.port}`;
  const call = async (method: string, p: string, body: unknown, token: string | null) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { ...(token !== null && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    app,
    baseUrl,
    dataDir,
    mqttUrl: app.broker ? `mqtt://127.0.0.1:${app.broker.port}` : (overrides.mqttUrl ?? ''),
    get: (p, token = TOKENS.admin) => call('GET', p, undefined, token),
    post: (p, body, token = TOKENS.admin) => call('POST', p, body, token),
    put: (p, body, token = TOKENS.admin) => call('PUT', p, body, token),
    // Stored and rolled up: on InfluxDB the day rollups are refreshed after the readings are announced,
    // and the status (so a rule cycle) reads them.
    settle: async () => {
      await app.pipeline.flush();
      await app.store.settleRollups();
    },
    stop: async () => {
      await app.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` stops throwing (an expectation) or the bound passes; rethrows the last failure. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
