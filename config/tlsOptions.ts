/**
 * TLS settings from the environment, read and checked once at start-up:
 *
 *   MQTT client (when MQTT_URL is mqtts:// or wss://):
 *     MQTT_CA_FILE                 CA bundle (PEM) to trust instead of the system's
 *     MQTT_CERT_FILE, MQTT_KEY_FILE  client certificate and key (both or neither)
 *     MQTT_REJECT_UNAUTHORIZED     true (default) | false: verify the broker's certificate
 *   HTTPS (both set: the HTTP server serves HTTPS instead of HTTP):
 *     HTTPS_CERT_FILE, HTTPS_KEY_FILE
 *   Embedded broker (both set: it also listens with TLS):
 *     MQTT_TLS_CERT_FILE, MQTT_TLS_KEY_FILE, MQTT_TLS_PORT (default 8883)
 *
 * Relative paths are resolved against the working directory. A missing or unreadable file, half
 * a pair, a key that does not fit its certificate or a TLS file for a plain mqtt:// URL is a
 * TlsConfigError naming the variable and the path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';

export class TlsConfigError extends Error {
  readonly code = 'invalid-tls-config';
  constructor(
    readonly variable: string,
    readonly file: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TlsConfigError';
  }
}

/** Options for mqtt.connect (a subset of IClientOptions / tls.ConnectionOptions). */
export interface MqttClientTlsOptions {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

/** Options for https.createServer / tls.createServer. */
export interface TlsServerOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface BrokerTlsOptions extends TlsServerOptions {
  readonly port: number;
}

export interface TlsSettings {
  /** Set when MQTT_URL is a TLS URL: spread into the MQTT client's options. */
  readonly mqttClient?: MqttClientTlsOptions;
  /** Set when HTTPS_CERT_FILE and HTTPS_KEY_FILE are: serve HTTPS. */
  readonly https?: TlsServerOptions;
  /** Set when MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE are: the embedded broker also listens with TLS. */
  readonly embeddedBroker?: BrokerTlsOptions;
}

export const DEFAULT_MQTT_TLS_PORT = 8883;
const TLS_URL = /^(mqtts|wss|ssl|tls):\/\//i;

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function readPem(env: Env, name: string, cwd: string): Buffer | undefined {
  const given = value(env, name);
  if (given === undefined) return undefined;
  const file = path.resolve(cwd, given);
  try {
    const content = readFileSync(file);
    if (content.length === 0) throw new TlsConfigError(name, file, `${name}=${file}: the file is empty`);
    return content;
  } catch (err) {
    if (err instanceof TlsConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new TlsConfigError(name, file, `${name}=${file}: cannot read (${why})`);
  }
}

function fileOf(env: Env, name: string, cwd: string): string | undefined {
  const v = value(env, name);
  return v === undefined ? undefined : path.resolve(cwd, v);
}

/** Both files of a certificate/key pair or neither; checks that the key fits the certificate. */
function pair(env: Env, certVar: string, keyVar: string, cwd: string): TlsServerOptions | undefined {
  const cert = readPem(env, certVar, cwd);
  const key = readPem(env, keyVar, cwd);
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined)
    throw new TlsConfigError(certVar, undefined, `${keyVar} is set but ${certVar} is not: give both the certificate and its key`);
  if (key === undefined) throw new TlsConfigError(keyVar, undefined, `${certVar} is set but ${keyVar} is not: give both the certificate and its key`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsConfigError(
      certVar,
      fileOf(env, certVar, cwd),
      `${certVar}=${fileOf(env, certVar, cwd)} and ${keyVar}=${fileOf(env, keyVar, cwd)}: not a usable PEM certificate and matching private key (${(err as Error).message})`,
    );
  }
  return { cert, key };
}

/** A CA bundle: one or more PEM certificates, each parseable (Node would ignore garbage silently). */
function checkCaBundle(env: Env, name: string, ca: Buffer, cwd: string): void {
  const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new TlsConfigError(
      name,
      fileOf(env, name, cwd),
      `${name}=${fileOf(env, name, cwd)}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file`,
    );
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new TlsConfigError(
        name,
        fileOf(env, name, cwd),
        `${name}=${fileOf(env, name, cwd)}: certificate ${i + 1} is not valid (${(err as Error).message})`,
      );
    }
  });
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = value(env, name);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new TlsConfigError(name, undefined, `${name} must be true or false, got "${v}"`);
}

/**
 * MQTT client options for a TLS URL (`mqtts://`, `wss://`); undefined for a plain URL. TLS files
 * set for a plain or missing MQTT_URL are an error: the operator meant TLS and would not get it.
 */
export function mqttClientTlsFromEnv(env: Env, cwd = process.cwd()): MqttClientTlsOptions | undefined {
  const url = value(env, 'MQTT_URL');
  const vars = ['MQTT_CA_FILE', 'MQTT_CERT_FILE', 'MQTT_KEY_FILE', 'MQTT_REJECT_UNAUTHORIZED'] as const;
  if (url === undefined || !TLS_URL.test(url)) {
    const set = vars.filter((name) => value(env, name) !== undefined);
    if (set.length > 0) {
      throw new TlsConfigError(
        set[0]!,
        fileOf(env, set[0]!, cwd),
        `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but MQTT_URL ${url === undefined ? 'is not (embedded broker)' : `is not a TLS URL (${url.replace(/\/\/[^@/]*@/, '//***@')})`}: use mqtts://host:8883, or unset ${set.length === 1 ? 'it' : 'them'}`,
      );
    }
    return undefined;
  }
  const ca = readPem(env, 'MQTT_CA_FILE', cwd);
  const cert = readPem(env, 'MQTT_CERT_FILE', cwd);
  const key = readPem(env, 'MQTT_KEY_FILE', cwd);
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? ['MQTT_KEY_FILE', 'MQTT_CERT_FILE'] : ['MQTT_CERT_FILE', 'MQTT_KEY_FILE'];
    throw new TlsConfigError(missing, undefined, `${given} is set but ${missing} is not: a client certificate needs both`);
  }
  if (ca) checkCaBundle(env, 'MQTT_CA_FILE', ca, cwd);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      throw new TlsConfigError(
        'MQTT_CERT_FILE',
        fileOf(env, 'MQTT_CERT_FILE', cwd),
        `MQTT_CERT_FILE=${fileOf(env, 'MQTT_CERT_FILE', cwd)} and MQTT_KEY_FILE=${fileOf(env, 'MQTT_KEY_FILE', cwd)}: not a usable PEM certificate and matching private key (${(err as Error).message})`,
      );
    }
  }
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }), rejectUnauthorized: bool(env, 'MQTT_REJECT_UNAUTHORIZED', true) };
}

/** HTTPS certificate and key when both HTTPS_CERT_FILE and HTTPS_KEY_FILE are set. */
export function httpsFromEnv(env: Env, cwd = process.cwd()): TlsServerOptions | undefined {
  return pair(env, 'HTTPS_CERT_FILE', 'HTTPS_KEY_FILE', cwd);
}

/** The embedded broker's TLS listener when MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE are set. */
export function embeddedBrokerTlsFromEnv(env: Env, cwd = process.cwd()): BrokerTlsOptions | undefined {
  const files = pair(env, 'MQTT_TLS_CERT_FILE', 'MQTT_TLS_KEY_FILE', cwd);
  const portText = value(env, 'MQTT_TLS_PORT');
  if (files === undefined) {
    if (portText !== undefined)
      throw new TlsConfigError(
        'MQTT_TLS_PORT',
        undefined,
        'MQTT_TLS_PORT is set but MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE are not: the TLS listener needs a certificate and key',
      );
    return undefined;
  }
  const port = portText === undefined ? DEFAULT_MQTT_TLS_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TlsConfigError('MQTT_TLS_PORT', undefined, `MQTT_TLS_PORT must be a port number, got "${portText}"`);
  return { ...files, port };
}

/** All three; every setting is checked, so a mistake fails start-up rather than the first connection. */
export function tlsFromEnv(env: Env, cwd = process.cwd()): TlsSettings {
  const mqttClient = mqttClientTlsFromEnv(env, cwd);
  const https = httpsFromEnv(env, cwd);
  const embeddedBroker = embeddedBrokerTlsFromEnv(env, cwd);
  return { ...(mqttClient && { mqttClient }), ...(https && { https }), ...(embeddedBroker && { embeddedBroker }) };
}
