/**
 * What the process shell says to a person on the console, besides the JSON logs: one line once the
 * service is up (where the dashboard and the broker are, whether mail goes out, and in a demo run
 * the demo's public tokens), and one clear line when a port cannot be opened, naming the variable
 * that chooses it. Real tokens are never printed: only a demo run's tokens whose text is their
 * name or `demo-<role>` (config/demo.yaml documents them as public) qualify.
 */
import type { Connections } from '../../config/load';
import type { Config } from '../../config/schema';
import type { TlsSettings } from '../../config/tlsOptions';
import type { PortUnavailableError } from '../core/errors';
import { sha256Hex } from '../core/security';

/** A port the service opens and the environment variable that chooses it. */
export interface Listener {
  readonly variable: string;
  readonly port: number;
  readonly what: string;
}

/** Every listener this process opens with these settings (HTTP, the embedded broker and its TLS port). */
export function configuredListeners(connections: Connections, tls: TlsSettings | undefined): Listener[] {
  const out: Listener[] = [{ variable: 'HTTP_PORT', port: connections.httpPort, what: tls?.https ? 'HTTPS' : 'HTTP' }];
  if (connections.mqttUrl === undefined) {
    out.push({ variable: 'MQTT_PORT', port: connections.embeddedBrokerPort, what: 'MQTT (embedded broker)' });
    if (tls?.embeddedBroker) out.push({ variable: 'MQTT_TLS_PORT', port: tls.embeddedBroker.port, what: 'MQTT over TLS (embedded broker)' });
  }
  return out;
}

/** The message for a port that could not be opened, naming the variable(s) set to it. */
export function portClashMessage(err: PortUnavailableError, listeners: readonly Listener[]): string {
  const mine = listeners.filter((l) => l.port === err.port);
  const names = mine.map((l) => l.variable);
  const what = mine.map((l) => l.what).join(' / ') || 'a listener';
  const setting = names.length > 0 ? names.join(' or ') : 'the port setting';
  const zh =
    err.reason === 'in-use'
      ? `端口 ${err.port} 已被占用（${what}，${err.host}）：请设置 ${setting} 为空闲端口`
      : `无权打开端口 ${err.port}（${what}，${err.host}）：请设置 ${setting} 为 1024 以上的端口`;
  const en =
    err.reason === 'in-use'
      ? `port ${err.port} on ${err.host} is already in use (${what}): set ${setting} to a free port`
      : `port ${err.port} on ${err.host} may not be opened by this user (${what}): set ${setting} to a port above 1023`;
  const both = names.length > 1 ? ` (${names.join(' and ')} name the same port)` : '';
  return `${zh} / ${en}${both}`;
}

export interface StartupFacts {
  readonly config: Config;
  readonly connections: Connections;
  readonly tls: TlsSettings | undefined;
  /** The ports actually bound (differ from the settings when a setting is 0). */
  readonly httpPort: number;
  readonly mqttPort: number | undefined;
  /** PUBLIC_URL when the environment sets it: the address users reach the dashboard at. */
  readonly publicUrl: string | undefined;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** A host as a person on this machine reaches it: a wildcard bind answers on loopback too. */
function reachable(host: string | undefined): string {
  if (host === undefined || WILDCARD.has(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** A URL without its user name and password. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

function mqttPart(f: StartupFacts): string {
  if (f.connections.mqttUrl !== undefined) return `MQTT ${withoutCredentials(f.connections.mqttUrl)}`;
  const host = reachable(f.connections.embeddedBrokerHost);
  const plain = `mqtt://${host}:${f.mqttPort ?? f.connections.embeddedBrokerPort}`;
  const secure = f.tls?.embeddedBroker ? ` mqtts://${host}:${f.tls.embeddedBroker.port}` : '';
  return `MQTT ${plain}${secure}`;
}

function mailPart(smtpUrl: string | undefined): string {
  if (smtpUrl === undefined) return '邮件关闭 mail off (SMTP_URL not set)';
  try {
    return `邮件开启 mail on (${new URL(smtpUrl).host})`;
  } catch {
    return '邮件开启 mail on';
  }
}

/**
 * `role=token` for each demo token whose text is known: its name or `demo-<role or enterprise>`
 * (the convention of config/demo.yaml), checked against the configured hash so that nothing else
 * is ever printed. The enterprise id stands for an enterprise token's role.
 */
export function demoTokens(config: Config): string[] {
  return config.auth.tokens.flatMap((t) => {
    const label = t.role === 'enterprise' ? (t.enterprise ?? t.role) : t.role;
    const text = [t.name, `demo-${label}`].find((candidate) => sha256Hex(candidate) === t.sha256);
    return text === undefined ? [] : [`${label}=${text}`];
  });
}

/** The start-up line(s): one, or two in a demo run (the tokens). */
export function startupLines(f: StartupFacts): string[] {
  const scheme = f.tls?.https ? 'https' : 'http';
  const dashboard = f.publicUrl ?? `${scheme}://${reachable(f.connections.httpHost)}:${f.httpPort}`;
  const parts = [`看板 dashboard ${dashboard.replace(/\/?$/, '/')}`, mqttPart(f), mailPart(f.connections.smtpUrl)];
  const lines = [`节能监测已启动 / energy monitor running: ${parts.join(' · ')}`];
  const tokens = f.connections.isDemo ? demoTokens(f.config) : [];
  if (tokens.length > 0) lines.push(`演示令牌（仅演示）/ demo tokens (demo only): ${tokens.join(', ')}`);
  return lines;
}
