/**
 * Runs the built service (`dist/services/main.js`, `npm run build` first) as its own process, as
 * in production, and samples its RSS from /proc and its ingest counters from /healthz.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { freePort } from '../../test/helpers/mosquitto';

export interface IngestHealth {
  readonly pending: number;
  readonly messages: number;
  readonly readings: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly storeFailures: number;
}

export interface BenchService {
  readonly pid: number;
  readonly baseUrl: string;
  rssMb(): number;
  ingest(): Promise<IngestHealth>;
  /** Ingest counters and the V8 heap in use (MB), from one /healthz call. */
  sample(): Promise<{ ingest: IngestHealth; heapUsedMb: number }>;
  /** SIGTERM (clean stop: a --cpu-prof profile is written) and wait for the exit. */
  stop(): Promise<number | null>;
  logTail(): string;
}

/** The built service; BENCH_SERVICE_ENTRY points at another build (e.g. to compare a change). */
export const SERVICE_ENTRY = process.env.BENCH_SERVICE_ENTRY ?? path.join(PROJECT_ROOT, 'dist', 'services', 'main.js');

export async function startService(options: {
  configFile: string;
  dataDir: string;
  env: Record<string, string>;
  logFile: string;
  nodeArgs?: readonly string[];
}): Promise<BenchService> {
  if (!existsSync(SERVICE_ENTRY)) throw new Error(`${SERVICE_ENTRY} is missing: run npm run build first (npm run bench does)`);
  const httpPort = await freePort();
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVICE_ENTRY], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ENERGY_CONFIG: options.configFile,
      DATA_DIR: options.dataDir,
      HTTP_PORT: String(httpPort),
      SIMULATOR: 'off',
      LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const logTail = (): string => readFileSync(options.logFile, 'utf8').slice(-3000);
  type HealthBody = { ingest?: IngestHealth; process?: { heapUsedMb?: number } };
  const health = async (): Promise<{ status: number; body: HealthBody }> => {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as HealthBody };
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${logTail()}`);
    try {
      if ((await health()).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not become healthy within 60 s:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid ?? 0,
    baseUrl,
    rssMb: () => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        return kb / 1024;
      } catch {
        return 0;
      }
    },
    ingest: async () => {
      const { body } = await health();
      if (!body.ingest) throw new Error('/healthz has no ingest section');
      return body.ingest;
    },
    sample: async () => {
      const { body } = await health();
      if (!body.ingest) throw new Error('/healthz has no ingest section');
      return { ingest: body.ingest, heapUsedMb: body.process?.heapUsedMb ?? 0 };
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    logTail,
  };
}
