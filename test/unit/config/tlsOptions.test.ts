/**
 * TLS settings from the environment: files load, mistakes are named clearly, and the options work
 * as they are meant to be used: an HTTPS server answering a client that trusts the CA, and an MQTT
 * client over mqtts:// to an aedes broker behind tls.createServer. Certificates are made by
 * openssl in a temporary directory.
 */
import Aedes from 'aedes';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import mqtt from 'mqtt';
import {
  DEFAULT_MQTT_TLS_PORT,
  embeddedBrokerTlsFromEnv,
  httpsFromEnv,
  mqttClientTlsFromEnv,
  tlsFromEnv,
  TlsConfigError,
} from '../../../config/tlsOptions';
import { makeTestCertificates } from '../../helpers/certificates';

const OPENSSL = '/usr/bin/openssl';

let dir: string;
/** ca.pem / ca.key: a throwaway CA; server.pem / server.key: localhost + 127.0.0.1 signed by it; other.*: an unrelated self-signed pair. */
const f = (name: string): string => path.join(dir, name);

function openssl(args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tls-options-'));
  makeTestCertificates(dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=other']);
  writeFileSync(f('garbage.pem'), 'this is not a certificate\n');
  writeFileSync(f('empty.pem'), '');
  mkdirSync(f('a-directory'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): TlsConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TlsConfigError) return err;
    throw err;
  }
  throw new Error('expected a TlsConfigError');
}

describe('reading the environment', () => {
  test('nothing set: plain MQTT, plain HTTP, no TLS listener', () => {
    expect(tlsFromEnv({})).toEqual({});
    expect(tlsFromEnv({ MQTT_URL: 'mqtt://broker:1883', HTTPS_CERT_FILE: '', HTTPS_KEY_FILE: ' ' })).toEqual({});
  });

  test('everything set: the files are read', () => {
    const settings = tlsFromEnv(
      {
        MQTT_URL: 'mqtts://broker:8883',
        MQTT_CA_FILE: 'ca.pem',
        MQTT_CERT_FILE: 'server.pem',
        MQTT_KEY_FILE: 'server.key',
        HTTPS_CERT_FILE: f('server.pem'),
        HTTPS_KEY_FILE: f('server.key'),
        MQTT_TLS_CERT_FILE: 'server.pem',
        MQTT_TLS_KEY_FILE: 'server.key',
        MQTT_TLS_PORT: '18883',
      },
      dir,
    );
    expect(settings.mqttClient?.ca?.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(settings.mqttClient?.cert?.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(settings.mqttClient?.key?.toString()).toMatch(/PRIVATE KEY-----/);
    expect(settings.mqttClient?.rejectUnauthorized).toBe(true);
    expect(Object.keys(settings.https ?? {}).sort()).toEqual(['cert', 'key']);
    expect(settings.embeddedBroker?.port).toBe(18883);
  });

  test('mqtts:// alone trusts the system CAs and verifies; MQTT_REJECT_UNAUTHORIZED=false turns that off', () => {
    expect(mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://broker:8883' })).toEqual({ rejectUnauthorized: true });
    expect(mqttClientTlsFromEnv({ MQTT_URL: 'wss://broker/mqtt', MQTT_REJECT_UNAUTHORIZED: 'false' })).toEqual({ rejectUnauthorized: false });
    expect(mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://broker:8883', MQTT_REJECT_UNAUTHORIZED: '1' })).toEqual({ rejectUnauthorized: true });
    expect(mqttClientTlsFromEnv({ MQTT_URL: 'mqtt://broker:1883' })).toBeUndefined();
    expect(errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_REJECT_UNAUTHORIZED: 'maybe' })).message).toBe(
      'MQTT_REJECT_UNAUTHORIZED must be true or false, got "maybe"',
    );
  });

  test('the embedded broker TLS port defaults to 8883', () => {
    expect(embeddedBrokerTlsFromEnv({ MQTT_TLS_CERT_FILE: 'server.pem', MQTT_TLS_KEY_FILE: 'server.key' }, dir)?.port).toBe(DEFAULT_MQTT_TLS_PORT);
    expect(DEFAULT_MQTT_TLS_PORT).toBe(8883);
  });
});

describe('clear errors naming the variable and the path', () => {
  test('missing, empty, a directory, unreadable', () => {
    const missing = errorOf(() => httpsFromEnv({ HTTPS_CERT_FILE: 'nope.pem', HTTPS_KEY_FILE: 'server.key' }, dir));
    expect(missing).toMatchObject({ code: 'invalid-tls-config', variable: 'HTTPS_CERT_FILE', file: f('nope.pem') });
    expect(missing.message).toBe(`HTTPS_CERT_FILE=${f('nope.pem')}: cannot read (no such file)`);
    expect(errorOf(() => httpsFromEnv({ HTTPS_CERT_FILE: 'server.pem', HTTPS_KEY_FILE: 'empty.pem' }, dir)).message).toBe(
      `HTTPS_KEY_FILE=${f('empty.pem')}: the file is empty`,
    );
    expect(errorOf(() => embeddedBrokerTlsFromEnv({ MQTT_TLS_CERT_FILE: 'a-directory', MQTT_TLS_KEY_FILE: 'server.key' }, dir)).message).toBe(
      `MQTT_TLS_CERT_FILE=${f('a-directory')}: cannot read (is a directory)`,
    );
    if (process.getuid?.() !== 0) {
      // root reads anything: the permission case only means something for an ordinary user
      writeFileSync(f('locked.pem'), 'x');
      chmodSync(f('locked.pem'), 0o000);
      expect(errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_CA_FILE: 'locked.pem' }, dir)).message).toBe(
        `MQTT_CA_FILE=${f('locked.pem')}: cannot read (permission denied)`,
      );
    }
  });

  test('half a pair', () => {
    expect(errorOf(() => httpsFromEnv({ HTTPS_CERT_FILE: 'server.pem' }, dir))).toMatchObject({
      variable: 'HTTPS_KEY_FILE',
      message: 'HTTPS_CERT_FILE is set but HTTPS_KEY_FILE is not: give both the certificate and its key',
    });
    expect(errorOf(() => embeddedBrokerTlsFromEnv({ MQTT_TLS_KEY_FILE: 'server.key' }, dir))).toMatchObject({ variable: 'MQTT_TLS_CERT_FILE' });
    expect(errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_KEY_FILE: 'server.key' }, dir))).toMatchObject({
      variable: 'MQTT_CERT_FILE',
      message: 'MQTT_KEY_FILE is set but MQTT_CERT_FILE is not: a client certificate needs both',
    });
    expect(errorOf(() => embeddedBrokerTlsFromEnv({ MQTT_TLS_PORT: '8883' }, dir)).variable).toBe('MQTT_TLS_PORT');
    expect(
      errorOf(() => embeddedBrokerTlsFromEnv({ MQTT_TLS_CERT_FILE: 'server.pem', MQTT_TLS_KEY_FILE: 'server.key', MQTT_TLS_PORT: '70000' }, dir))
        .message,
    ).toBe('MQTT_TLS_PORT must be a port number, got "70000"');
  });

  test('a key that does not fit its certificate, and files that are not PEM', () => {
    const mismatch = errorOf(() => httpsFromEnv({ HTTPS_CERT_FILE: 'server.pem', HTTPS_KEY_FILE: 'other.key' }, dir));
    expect(mismatch.message).toContain(
      `HTTPS_CERT_FILE=${f('server.pem')} and HTTPS_KEY_FILE=${f('other.key')}: not a usable PEM certificate and matching private key`,
    );
    expect(errorOf(() => httpsFromEnv({ HTTPS_CERT_FILE: 'garbage.pem', HTTPS_KEY_FILE: 'server.key' }, dir)).variable).toBe('HTTPS_CERT_FILE');
    expect(
      errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_CERT_FILE: 'server.pem', MQTT_KEY_FILE: 'other.key' }, dir)).variable,
    ).toBe('MQTT_CERT_FILE');
    const ca = errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_CA_FILE: 'garbage.pem' }, dir));
    expect(ca).toMatchObject({ variable: 'MQTT_CA_FILE', file: f('garbage.pem') });
    expect(ca.message).toBe(`MQTT_CA_FILE=${f('garbage.pem')}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file`);
    writeFileSync(f('broken-ca.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://b', MQTT_CA_FILE: 'broken-ca.pem' }, dir)).message).toMatch(
      /^MQTT_CA_FILE=.*broken-ca\.pem: certificate 1 is not valid/,
    );
  });

  test('TLS files for a plain or missing MQTT_URL are refused rather than ignored, without showing credentials', () => {
    const plain = errorOf(() => mqttClientTlsFromEnv({ MQTT_URL: 'mqtt://svc:hunter2@broker:1883', MQTT_CA_FILE: 'ca.pem' }, dir));
    expect(plain.message).toBe('MQTT_CA_FILE is set but MQTT_URL is not a TLS URL (mqtt://***@broker:1883): use mqtts://host:8883, or unset it');
    expect(errorOf(() => mqttClientTlsFromEnv({ MQTT_CA_FILE: 'ca.pem', MQTT_REJECT_UNAUTHORIZED: 'false' }, dir)).message).toBe(
      'MQTT_CA_FILE, MQTT_REJECT_UNAUTHORIZED are set but MQTT_URL is not (embedded broker): use mqtts://host:8883, or unset them',
    );
  });
});

describe('the options in use', () => {
  test('HTTPS: https.createServer(options) answers a client that trusts the CA, and not one that does not', async () => {
    const options = httpsFromEnv({ HTTPS_CERT_FILE: 'server.pem', HTTPS_KEY_FILE: 'server.key' }, dir)!;
    const server = https.createServer(options, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const ca = mqttClientTlsFromEnv({ MQTT_URL: 'mqtts://x', MQTT_CA_FILE: 'ca.pem' }, dir)!.ca!;
    const get = (trust: Buffer | undefined): Promise<{ status: number | undefined; body: string }> =>
      new Promise((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, path: '/healthz', ...(trust && { ca: trust }), agent: false }, (res) => {
          let body = '';
          res
            .setEncoding('utf8')
            .on('data', (c: string) => (body += c))
            .on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      await expect(get(ca)).resolves.toEqual({ status: 200, body: '{"status":"ok"}' });
      await expect(get(undefined)).rejects.toThrow(/unable to verify the first certificate|self.signed|UNABLE_TO_VERIFY/i);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('MQTT: mqtts:// with the client options connects to aedes behind tls.createServer and round-trips a message', async () => {
    const brokerTls = embeddedBrokerTlsFromEnv({ MQTT_TLS_CERT_FILE: 'server.pem', MQTT_TLS_KEY_FILE: 'server.key', MQTT_TLS_PORT: '0' }, dir)!;
    const aedes = new Aedes();
    const server = tls.createServer({ cert: brokerTls.cert, key: brokerTls.key }, aedes.handle);
    await new Promise<void>((resolve) => server.listen(brokerTls.port, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `mqtts://localhost:${port}`;
    const clientTls = mqttClientTlsFromEnv({ MQTT_URL: url, MQTT_CA_FILE: 'ca.pem' }, dir)!;
    const client = mqtt.connect(url, { ...clientTls, clientId: 'tls-test', reconnectPeriod: 0, connectTimeout: 5000 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      const got = new Promise<string>((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${payload.toString('utf8')}`)));
      await client.subscribeAsync('energy/#', { qos: 1 });
      await client.publishAsync('energy/alu01/e-main', '{"ts":1793232000000,"value":1}', { qos: 1 });
      await expect(got).resolves.toBe('energy/alu01/e-main {"ts":1793232000000,"value":1}');

      // without the CA the broker's certificate is refused
      const untrusted = mqtt.connect(url, { rejectUnauthorized: true, clientId: 'tls-test-untrusted', reconnectPeriod: 0, connectTimeout: 5000 });
      const outcome = await new Promise<string>((resolve) => {
        untrusted.once('connect', () => resolve('connected'));
        untrusted.once('error', (err) => resolve(err.message));
      });
      untrusted.end(true);
      expect(outcome).toMatch(/unable to verify the first certificate|self.signed|UNABLE_TO_VERIFY/i);
    } finally {
      await client.endAsync();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
