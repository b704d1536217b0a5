/**
 * Starts one service of docker-compose.yml as a local process, with the compose file's own
 * environment and command (run in the project root, which is the image's /app after
 * `npm run build`). What only exists inside the compose network is mapped, and anything the
 * mapping does not know fails loudly instead of running something else:
 *   - URLs naming another compose service (mqtt://mosquitto:1884) -> `hosts`
 *   - absolute paths under a mount (/data, /config, /run/...) -> the bind mount's host folder, a
 *     named volume's folder from `volumes` or a fresh one under `root`; /app -> the project
 *   - HTTP_PORT -> a free loopback port, HTTP_HOST -> 127.0.0.1 (loopback only in tests)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { serviceEnv, serviceMounts, type ComposeFile } from './compose';
import { freePort } from './mosquitto';

export interface ComposeProcess {
  readonly baseUrl: string;
  /** The environment it runs with, after mapping. */
  readonly env: Record<string, string>;
  logText(): string;
  /** Retries `check` until it passes (default 15 s). */
  eventually(check: () => Promise<void> | void, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after the compose stop_grace_period; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export interface ComposeServiceOptions {
  /** Compose service name -> container port -> URL base to use instead (`mqtt://127.0.0.1:41883`). */
  hosts: Record<string, Record<number, string>>;
  /** Named volume -> host folder. */
  volumes?: Record<string, string>;
  /** The deployment folder: relative bind mounts and unnamed volumes resolve here. */
  root: string;
  logFile: string;
}

function mapUrl(value: string, compose: ComposeFile, hosts: ComposeServiceOptions['hosts']): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([A-Za-z0-9_.-]+):(\d+)(.*)$/.exec(value);
  if (!m || compose.services[m[2]!] === undefined) return value;
  const target = hosts[m[2]!]?.[Number(m[3])];
  if (target === undefined) throw new Error(`${value}: no local stand-in for compose service ${m[2]} port ${m[3]}`);
  return `${target}${m[4] ?? ''}`;
}

function mapPath(value: string, mounts: Map<string, string>, options: ComposeServiceOptions): string {
  if (!value.startsWith('/')) return value;
  if (value === '/app' || value.startsWith('/app/')) return path.join(PROJECT_ROOT, value.slice(4));
  const target = [...mounts.keys()].filter((t) => value === t || value.startsWith(`${t}/`)).sort((a, b) => b.length - a.length)[0];
  if (target === undefined) throw new Error(`${value}: not under a mount of the service, so it does not exist in the container`);
  const source = mounts.get(target)!;
  let hostDir: string;
  if (source.startsWith('/')) hostDir = source;
  else if (source.startsWith('.')) hostDir = path.resolve(options.root, source);
  else {
    hostDir = options.volumes?.[source] ?? path.join(options.root, 'volumes', source);
    mkdirSync(hostDir, { recursive: true });
  }
  return path.join(hostDir, value.slice(target.length));
}

export async function startComposeService(compose: ComposeFile, name: string, options: ComposeServiceOptions): Promise<ComposeProcess> {
  const svc = compose.services[name];
  if (!svc) throw new Error(`no service ${name} in the compose file`);
  const mounts = serviceMounts(svc);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(serviceEnv(svc))) env[key] = mapPath(mapUrl(value, compose, options.hosts), mounts, options);
  const httpPort = await freePort();
  env.HTTP_PORT = String(httpPort);
  env.HTTP_HOST = '127.0.0.1';
  env.PATH = `${path.dirname(process.execPath)}:/usr/bin:/bin`;
  const command = Array.isArray(svc.command) ? svc.command : ['/bin/sh', '-c', svc.command ?? 'node dist/services/main.js'];
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, env, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const logText = () => readFileSync(options.logFile, 'utf8');
  const eventually = async (check: () => Promise<void> | void, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await check();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      const res = await fetch(`${baseUrl}/healthz`);
      const body = (await res.json()) as { mqtt?: { ok: boolean }; store?: { ok: boolean } };
      if (res.status !== 200 || body.mqtt?.ok !== true || body.store?.ok !== true) throw new Error(`healthz ${res.status} ${JSON.stringify(body)}`);
    }, 45_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not become healthy (${(err as Error).message}):\n${logText().slice(-4000)}`, { cause: err });
  }
  const graceMs = Number(/^(\d+)s$/.exec(svc.stop_grace_period ?? '')?.[1] ?? 10) * 1000;
  return {
    baseUrl,
    env,
    logText,
    eventually,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}
