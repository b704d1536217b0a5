/**
 * Runs the service as its own process (`node --require tsx/cjs services/main.ts`), as in
 * production, so that tests can kill -9 it, restart it and read its memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { freePort } from './mosquitto';

export interface ServiceProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** Resident set size in MB, from /proc. */
  rssMb(): number;
  health(): Promise<{ status: number; body: HealthBody }>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
  logText(): string;
}

export interface HealthBody {
  status: string;
  mqtt: { ok: boolean };
  store: { ok: boolean };
  ingest: { pending: number; messages: number; stored: number; quarantined: number; storeFailures: number };
  process: { rssMb: number; heapUsedMb: number };
  /** Shard, role and lease (services/scaleOut.ts). */
  scaleOut: {
    role: string;
    shard?: string;
    sharedGroup?: string;
    rulesActive: boolean;
    lease?: { held: boolean; holder: string; currentHolder?: string };
  };
}

export async function startServiceProcess(options: {
  configFile: string;
  dataDir: string;
  env: Record<string, string>;
  logFile: string;
  httpPort?: number;
  /** Command-line arguments of services/main.ts, e.g. ['--shard', '0/2']. */
  args?: readonly string[];
  /** A staff bearer token: /healthz shows its details (lease holder, shared group, versions) only with one. */
  healthToken?: string;
}): Promise<ServiceProcess> {
  const httpPort = options.httpPort ?? (await freePort());
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(PROJECT_ROOT, 'services', 'main.ts'), ...(options.args ?? [])],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ENERGY_CONFIG: options.configFile,
        DATA_DIR: options.dataDir,
        HTTP_PORT: String(httpPort),
        SIMULATOR: 'off',
        LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const health = async () => {
    const res = await fetch(`${baseUrl}/healthz`, { headers: options.healthToken ? { authorization: `Bearer ${options.healthToken}` } : {} });
    return { status: res.status, body: (await res.json()) as HealthBody };
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${readFileSync(options.logFile, 'utf8').slice(-3000)}`);
    try {
      if ((await health()).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // Not left behind to keep jest alive.
      child.kill('SIGKILL');
      throw new Error(`service did not become healthy:\n${readFileSync(options.logFile, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    pid: child.pid ?? 0,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    health,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    logText: () => readFileSync(options.logFile, 'utf8'),
  };
}
