/** The service with TLS from the environment: the embedded broker on mqtts and the API on HTTPS. */
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { App } from '../../services/app';
import { silentLogger } from '../../services/core/log';
import { tlsFromEnv } from '../../config/tlsOptions';
import { makeTestCertificates } from '../helpers/certificates';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, TOKENS } from '../helpers/app';
import { freePort } from '../helpers/mosquitto';

function httpsGet(url: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('TLS', () => {
  it('serves mqtts on the embedded broker and HTTPS for the API', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tls-service-'));
    const certs = makeTestCertificates(dir);
    const tlsPort = await freePort();
    const tls = tlsFromEnv({
      MQTT_TLS_CERT_FILE: certs.serverCert,
      MQTT_TLS_KEY_FILE: certs.serverKey,
      MQTT_TLS_PORT: String(tlsPort),
      HTTPS_CERT_FILE: certs.serverCert,
      HTTPS_KEY_FILE: certs.serverKey,
    });
    const app = new App(
      {
        config: testConfig({ auth: authSection() }),
        tls,
        simulate: false,
        connections: {
          configPath: 'test',
          isDemo: false,
          embeddedBrokerPort: 0,
          httpPort: 0,
          dataDir: path.join(dir, 'data'),
          publicUrl: 'https://localhost',
          mqttClientId: 'tls-test',
        },
      },
      { logger: silentLogger() },
    );
    await app.start();
    try {
      const ca = readFileSync(certs.ca);
      const gw = await mqtt.connectAsync(`mqtts://localhost:${tlsPort}`, {
        ca,
        username: 'alu01',
        password: MQTT_PASSWORDS.alu01,
        reconnectPeriod: 0,
      });
      await gw.publishAsync(
        'energy/alu01/e-main',
        JSON.stringify([
          { ts: Date.parse('2026-11-01T00:00:00+08:00'), value: 1 },
          { ts: Date.parse('2026-11-01T01:00:00+08:00'), value: 11 },
        ]),
        { qos: 1 },
      );
      await gw.endAsync();
      // A client that does not trust the CA is refused.
      await expect(
        mqtt.connectAsync(`mqtts://localhost:${tlsPort}`, {
          username: 'alu01',
          password: MQTT_PASSWORDS.alu01,
          reconnectPeriod: 0,
          connectTimeout: 3000,
        }),
      ).rejects.toThrow();
      await eventually(async () => {
        await app.pipeline.flush();
        const res = await httpsGet(
          `https://localhost:${app.http.port}/api/enterprises/alu01/consumption?every=1d&from=2026-11-01&to=2026-11-02`,
          ca,
          TOKENS.admin,
        );
        expect(res.status).toBe(200);
        // 10 registers x multiplier 2 = 20 kWh.
        expect((JSON.parse(res.body) as { series: { quantity: number }[] }).series[0]?.quantity).toBeCloseTo(20, 9);
      });
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
