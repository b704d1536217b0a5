/**
 * Test harness for a real Mosquitto broker (Debian package `mosquitto`, /usr/sbin/mosquitto).
 *
 * Each broker runs on a free loopback port with its own temporary directory holding the generated
 * configuration, the persistence database and the log. `.ci/run` installs the package; on a
 * developer machine without it `startMosquitto()` returns undefined so the test can skip, while in
 * CI (`CI=true`) a missing broker is an error, never a silent skip.
 *
 *   const broker = await startMosquitto({ extraConfig: (dir) => [`password_file ${dir}/passwd`],
 *                                         files: { passwd: '...' }, allowAnonymous: false });
 *   if (!broker) return; // skipped: mosquitto not installed
 *   ... mqtt.connect(broker.url) ...
 *   await broker.restart();   // same port and directory: persistent sessions survive
 *   await broker.stop();      // kills it and removes the directory
 *
 * `shipped: {...}` runs the project's own deploy/mosquitto/mosquitto.conf instead (three listeners:
 * gateways, service, health), with its ports moved to free loopback ports and its
 * /mosquitto/config and /mosquitto/data paths to the temporary directory, the generated files'
 * folder and deploy/mosquitto/; `broker.url`/`port` are then the service listener, and
 * `broker.listeners` has all three.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import mqtt from 'mqtt';

/** Where Debian's package puts the broker; `MOSQUITTO_BIN` overrides it. */
export const DEFAULT_MOSQUITTO_BIN = '/usr/sbin/mosquitto';

/** The configuration the project ships for the production stack. */
export const SHIPPED_MOSQUITTO_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'mosquitto');
export const SHIPPED_MOSQUITTO_CONF = path.join(SHIPPED_MOSQUITTO_DIR, 'mosquitto.conf');

/** The shipped configuration's listener ports (deploy/mosquitto/mosquitto.conf). */
export const SHIPPED_PORTS = { gateways: 1883, service: 1884, health: 1880 } as const;

export interface ShippedLayout {
  /** The configuration file to run (default: SHIPPED_MOSQUITTO_CONF). */
  conf?: string;
  /**
   * Folder of the generated files (gateways.passwd ...): `/mosquitto/config/<name>` resolves to
   * `<filesDir>/<name>` when that file exists, else to the temporary directory (`files`), else to
   * the folder of `conf`.
   */
  filesDir?: string;
  /** Run the broker as this uid:gid (as root only), e.g. 1883:1883 like the eclipse-mosquitto image. */
  runAs?: { uid: number; gid: number };
}

export type ListenerName = keyof typeof SHIPPED_PORTS;

export interface MosquittoOptions {
  /** `allow_anonymous` (default true). */
  allowAnonymous?: boolean;
  /** `persistence` with `persistence_location` in the temporary directory (default true). */
  persistence?: boolean;
  /**
   * More configuration lines, appended after the generated ones (e.g. `max_queued_messages 10`,
   * `password_file <dir>/passwd`, `acl_file <dir>/acl`, `autosave_interval 1`). A function gets
   * the broker's directory, for lines that name files in it.
   */
  extraConfig?: string[] | ((dir: string) => string[]);
  /** Files written into the broker's directory before it starts: name -> content. */
  files?: Record<string, string>;
  /** How long to wait for the broker to accept MQTT connections (default 15 s). */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
  /**
   * Run the shipped configuration (see the file comment). `allowAnonymous`, `persistence` are then
   * the file's; `extraConfig` lines are appended at its end (use global options only: after the
   * last listener a per-listener option would apply to that listener).
   */
  shipped?: ShippedLayout;
}

export interface RestartOptions {
  /** Kill with SIGKILL instead of SIGTERM: no clean shutdown, nothing saved at exit. */
  hard?: boolean;
  /** Runs while the broker is down, before it starts again. */
  whileDown?: () => Promise<void> | void;
}

export interface MosquittoBroker {
  /** `mqtt://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Temporary directory: mosquitto.conf, mosquitto.log, persistence database, `files`. */
  dir: string;
  /** Kills the broker (SIGTERM, then SIGKILL after a bound) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same port with the same directory. */
  restart(options?: RestartOptions): Promise<void>;
  /** The broker's log so far (its log file and anything it printed). */
  logText(): string;
  /** With `shipped`: URL of each listener; otherwise every name maps to `url`. */
  listeners: Record<ListenerName, string>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that forgets stop() must not leave brokers behind when the worker exits.
  process.once('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Path of the mosquitto binary to use. */
export function mosquittoBin(): string {
  return process.env.MOSQUITTO_BIN ?? DEFAULT_MOSQUITTO_BIN;
}

function missingMessage(bin: string): string {
  return `mosquitto broker not found at ${bin} (install the Debian package: apt-get install -y mosquitto; .ci/run does)`;
}

/**
 * Whether the broker binary is installed. In CI (`CI=true`) a missing binary throws instead of
 * answering false: a missing server is a failure there, not a reason to skip.
 */
export function hasMosquitto(): boolean {
  const bin = mosquittoBin();
  if (existsSync(bin)) return true;
  if (process.env.CI === 'true') throw new Error(missingMessage(bin));
  return false;
}

/** Message for a test that skips because the broker is not installed. */
export function mosquittoSkipReason(): string {
  return `${missingMessage(mosquittoBin())}: skipping`;
}

/** A TCP port that is free on 127.0.0.1 right now (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tcpConnects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * One MQTT handshake. Any CONNACK counts, a refusal too (e.g. "not authorised" when anonymous
 * clients are not allowed): the broker is up and speaking MQTT.
 */
function mqttHandshake(url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: `harness-probe-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      clean: true,
    });
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      client.end(true, () => (err ? reject(err) : resolve()));
    };
    client.once('connect', () => finish());
    client.on('error', (err: Error & { code?: unknown }) => {
      // a CONNACK with a refusal code: the broker answered
      if (typeof err.code === 'number') finish();
      else finish(err);
    });
    client.once('close', () => finish(new Error(`connection to ${url} closed before CONNACK`)));
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function killChild(child: ChildProcess, hard: boolean, boundMs: number): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    if (!(await waitForExit(child, boundMs))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
  }
  running.delete(child);
}

/**
 * The shipped configuration with its listeners on `ports` (loopback only) and its container paths
 * mapped to this machine; fails on a line it does not know how to map, so a change of the shipped
 * file cannot silently run something else.
 */
export function mapShippedConfig(text: string, ports: Record<ListenerName, number>, dir: string, layout: ShippedLayout): string {
  const confDir = path.dirname(layout.conf ?? SHIPPED_MOSQUITTO_CONF);
  const resolveFile = (name: string): string => {
    for (const folder of [layout.filesDir, dir, confDir]) {
      if (folder !== undefined && existsSync(path.join(folder, name))) return path.join(folder, name);
    }
    throw new Error(
      `the shipped Mosquitto configuration names /mosquitto/config/${name}, found neither in ${[layout.filesDir, dir, confDir].filter(Boolean).join(', ')}`,
    );
  };
  const byPort = new Map(Object.entries(SHIPPED_PORTS).map(([name, port]) => [String(port), name as ListenerName]));
  const out = ['# generated by test/helpers/mosquitto.ts from the shipped configuration'];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const listener = /^listener\s+(\d+)(\s+\S+)?$/.exec(line);
    if (listener) {
      const name = byPort.get(listener[1]!);
      if (name === undefined) throw new Error(`the shipped Mosquitto configuration has an unknown listener: ${line}`);
      out.push(`listener ${ports[name]} 127.0.0.1`);
    } else if (line === 'log_dest stdout') {
      out.push(`log_dest file ${path.join(dir, 'mosquitto.log')}`);
    } else {
      out.push(raw.replace('/mosquitto/data/', `${dir}${path.sep}`).replace(/\/mosquitto\/config\/(\S+)/, (_m, name: string) => resolveFile(name)));
    }
  }
  if (out.some((l) => /(^|\s)\/mosquitto\//.test(l)))
    throw new Error('the shipped Mosquitto configuration has a container path the test harness does not map');
  return `${out.join('\n')}\n`;
}

function buildConfig(port: number, dir: string, options: MosquittoOptions, ports: Record<ListenerName, number>): string {
  if (options.shipped) {
    const extra = typeof options.extraConfig === 'function' ? options.extraConfig(dir) : (options.extraConfig ?? []);
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 && options.shipped.runAs === undefined;
    // Started as root, mosquitto would switch to the `mosquitto` user (see below); runAs starts it unprivileged.
    return (
      mapShippedConfig(readFileSync(options.shipped.conf ?? SHIPPED_MOSQUITTO_CONF, 'utf8'), ports, dir, options.shipped) +
      [...(asRoot ? ['user root'] : []), ...extra].map((l) => `${l}\n`).join('')
    );
  }
  const lines = [
    '# generated by test/helpers/mosquitto.ts',
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${(options.allowAnonymous ?? true) ? 'true' : 'false'}`,
  ];
  if (options.persistence ?? true) {
    lines.push('persistence true', `persistence_location ${dir}${path.sep}`);
  } else {
    lines.push('persistence false');
  }
  // Run as root (CI does), mosquitto would switch to the `mosquitto` user, who cannot write in
  // this directory; `user root` keeps it as it is. Ignored when not started as root.
  if (typeof process.getuid === 'function' && process.getuid() === 0) lines.push('user root');
  lines.push(
    `log_dest file ${path.join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_timestamp true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    'connection_messages true',
  );
  const extra = typeof options.extraConfig === 'function' ? options.extraConfig(dir) : (options.extraConfig ?? []);
  lines.push(...extra);
  return `${lines.join('\n')}\n`;
}

/**
 * Starts a real mosquitto on a free loopback port. Resolves once it answers an MQTT CONNECT.
 * Returns undefined when the binary is missing outside CI (the caller skips); throws in CI.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker | undefined> {
  if (!hasMosquitto()) return undefined;
  installExitHook();
  const bin = mosquittoBin();
  const startTimeoutMs = options.startTimeoutMs ?? 15000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5000;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'mosquitto-test-'));
  for (const [name, content] of Object.entries(options.files ?? {})) {
    writeFileSync(path.join(dir, name), content, { mode: 0o600 });
  }
  const confPath = path.join(dir, 'mosquitto.conf');
  const logPath = path.join(dir, 'mosquitto.log');

  let port = 0;
  let ports: Record<ListenerName, number>;
  let child: ChildProcess | undefined;
  let output = '';
  let lastLog = '';
  let removed = false;

  const readLog = (): string => {
    if (!removed) {
      try {
        lastLog = readFileSync(logPath, 'utf8');
      } catch {
        // not written yet
      }
    }
    return lastLog + output;
  };

  const runAs = options.shipped?.runAs;
  const launch = async (): Promise<void> => {
    if (runAs) {
      // the broker writes its database and log here as that user
      chownSync(dir, runAs.uid, runAs.gid);
      for (const name of readdirSync(dir)) chownSync(path.join(dir, name), runAs.uid, runAs.gid);
    }
    const proc = spawn(bin, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs && { uid: runAs.uid, gid: runAs.gid }) });
    child = proc;
    running.add(proc);
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let spawnError: Error | undefined;
    proc.once('error', (err) => {
      spawnError = err;
    });
    proc.once('exit', () => running.delete(proc));

    const url = `mqtt://127.0.0.1:${port}`;
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (spawnError) throw spawnError;
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`mosquitto exited during start-up (code ${proc.exitCode}, signal ${proc.signalCode}):\n${readLog()}`);
      }
      if (await tcpConnects(port)) break;
      if (Date.now() > deadline) {
        await killChild(proc, true, 1000);
        throw new Error(`mosquitto did not accept connections on port ${port} within ${startTimeoutMs} ms:\n${readLog()}`);
      }
      await sleep(50);
    }
    try {
      await mqttHandshake(url, Math.max(1000, deadline - Date.now()));
    } catch (err) {
      await killChild(proc, true, 1000);
      throw new Error(`mosquitto on port ${port} did not answer an MQTT CONNECT: ${String(err)}\n${readLog()}`, { cause: err });
    }
  };

  // The port is free when freePort() answers but another process may take it before mosquitto
  // binds it: try a few ports before giving up.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    ports = options.shipped
      ? { gateways: await freePort(), service: port, health: await freePort() }
      : { gateways: port, service: port, health: port };
    writeFileSync(confPath, buildConfig(port, dir, options, ports));
    try {
      await launch();
      break;
    } catch (err) {
      const inUse = /Address already in use/i.test(readLog());
      if (!inUse || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        removed = true;
        throw err;
      }
      output = '';
    }
  }

  const broker: MosquittoBroker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child) await killChild(child, false, stopTimeoutMs);
      readLog();
      if (!removed) {
        rmSync(dir, { recursive: true, force: true });
        removed = true;
      }
    },
    async restart(restartOptions: RestartOptions = {}) {
      if (removed) throw new Error('restart() after stop(): the broker directory is gone');
      if (child) await killChild(child, restartOptions.hard ?? false, stopTimeoutMs);
      if (restartOptions.whileDown) await restartOptions.whileDown();
      await launch();
    },
    logText() {
      return readLog();
    },
    listeners: {
      gateways: `mqtt://127.0.0.1:${ports.gateways}`,
      service: `mqtt://127.0.0.1:${ports.service}`,
      health: `mqtt://127.0.0.1:${ports.health}`,
    },
  };
  return broker;
}
