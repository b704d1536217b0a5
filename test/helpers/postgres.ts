/**
 * Starts a real PostgreSQL (Debian's postgresql 15: initdb + postgres) for integration tests, on a
 * free loopback port in a temporary directory, as the tests do for Mosquitto and influxd. Run as
 * root (CI), the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
 * Without the binaries the tests are skipped locally, but fail in CI (CI=true).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './mosquitto';

const BIN_DIRS = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
const SUPERUSER = 'energy';

export interface PostgresHandle {
  readonly port: number;
  readonly binDir: string;
  /** A URL for database `name` (created with createDatabase). */
  url(name: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export function findPostgres(): string | undefined {
  return BIN_DIRS.find((d): d is string => d !== undefined && d !== '' && existsSync(path.join(d, 'initdb')));
}

/** uid/gid to run the server as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      // not accepting connections yet
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres did not accept connections within 30 s: ${output()}`);
}

/** Starts PostgreSQL, or returns undefined (outside CI) when it is not installed. */
export async function startPostgres(): Promise<PostgresHandle | undefined> {
  const binDir = findPostgres();
  if (binDir === undefined) {
    const message = 'PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN)';
    if (process.env.CI === 'true') throw new Error(message);
    console.warn(`${message}: skipping these integration tests`);
    return undefined;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'postgres-test-'));
  const owner = runAs();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(path.join(binDir, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C'], {
    ...as,
    stdio: 'pipe',
    cwd: dir,
  });
  const port = await freePort();
  // fsync off: a test server's data need not survive a power cut, and fsync is slow on CI disks.
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
  const child = spawn(path.join(binDir, 'postgres'), args, { ...as, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (name: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown: ends sessions, no waiting for clients
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url('postgres'), child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    binDir,
    url,
    async createDatabase(name: string): Promise<string> {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
  };
}
