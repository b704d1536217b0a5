/**
 * Starts a real InfluxDB 1.x (`influxd`, Debian's influxdb package) for integration tests: free
 * loopback ports, a temporary directory, quiet logs. Without the binary the tests are skipped
 * locally, but fail in CI (CI=true), where a missing server means a broken setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './mosquitto';

export interface InfluxdHandle {
  readonly url: string;
  /** Freezes the process (SIGSTOP): connections are accepted by the kernel but never answered. */
  pause(): void;
  resume(): void;
  /** Stops the server, keeping its data and port (an outage). */
  down(): Promise<void>;
  /** Starts it again after down(). */
  up(): Promise<void>;
  stop(): Promise<void>;
}

const CANDIDATES = [process.env.INFLUXD_BIN, '/usr/bin/influxd', '/usr/local/bin/influxd'];

export function findInfluxd(): string | undefined {
  return CANDIDATES.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

async function waitForPing(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`influxd did not answer /ping within ${timeoutMs} ms: ${output()}`);
}

/**
 * Spawns a server binary and waits for its /ping; stop() kills it and removes `dir`; down() and
 * up() stop and start it again on the same port and data (an outage).
 */
async function spawnServer(name: string, bin: string, args: readonly string[], dir: string, url: string): Promise<InfluxdHandle> {
  let output = '';
  let child: ChildProcess;
  let exited: Promise<void>;
  const launch = async (): Promise<void> => {
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitForPing(url, child, () => `${name}: ${output}`, 20_000);
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT'); // in case it was paused: a stopped process does not act on SIGTERM
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    pause: () => {
      child.kill('SIGSTOP');
    },
    resume: () => {
      child.kill('SIGCONT');
    },
    down: kill,
    up: launch,
    stop,
  };
}

function missing(message: string): undefined {
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`${message}: skipping these integration tests`);
  return undefined;
}

/** Starts influxd, or returns undefined (outside CI) when the binary is not installed. */
export async function startInfluxd(): Promise<InfluxdHandle | undefined> {
  const bin = findInfluxd();
  if (bin === undefined) return missing('influxd is not installed (apt-get install influxdb, or set INFLUXD_BIN)');
  const dir = await mkdtemp(path.join(tmpdir(), 'influxd-test-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${path.join(dir, 'meta')}"`,
    '  logging-enabled = false',
    '[data]',
    `  dir = "${path.join(dir, 'data')}"`,
    `  wal-dir = "${path.join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '  trace-logging-enabled = false',
    '[http]',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  log-enabled = false',
    '  auth-enabled = false',
    '[logging]',
    '  level = "error"',
    '  suppress-logo = true',
    '[monitor]',
    '  store-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
  const configFile = path.join(dir, 'influxdb.conf');
  await writeFile(configFile, config);
  return spawnServer('influxd', bin, ['-config', configFile], dir, `http://127.0.0.1:${httpPort}`);
}

export function findVictoriaMetrics(): string | undefined {
  return [process.env.VICTORIA_METRICS_BIN, '/usr/bin/victoria-metrics', '/usr/local/bin/victoria-metrics'].find(
    (p): p is string => p !== undefined && p !== '' && existsSync(p),
  );
}

/**
 * Starts VictoriaMetrics (Debian's victoria-metrics), which accepts line protocol on
 * /api/v2/write and answers /ping, but no InfluxQL SELECT: it checks the 2.x write path only.
 * Outside CI a missing binary skips; in CI too, as it is optional (undefined either way).
 */
export async function startVictoriaMetrics(): Promise<InfluxdHandle | undefined> {
  const bin = findVictoriaMetrics();
  if (bin === undefined) {
    console.warn('victoria-metrics is not installed (apt-get install victoria-metrics): skipping the 2.x write-path test');
    return undefined;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'victoria-test-'));
  const port = await freePort();
  const args = [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'];
  return spawnServer('victoria-metrics', bin, args, dir, `http://127.0.0.1:${port}`);
}
