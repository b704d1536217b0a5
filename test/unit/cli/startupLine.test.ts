/**
 * The start-up line and the port-clash message (services/cli/startupLine.ts), from settings written
 * here: which variable is named, what is never printed (passwords, real tokens).
 */
import type { Connections } from '../../../config/load';
import { PortUnavailableError } from '../../../services/core/errors';
import { sha256Hex } from '../../../services/core/security';
import { configuredListeners, demoTokens, portClashMessage, startupLines } from '../../../services/cli/startupLine';
import { testConfig } from '../../helpers/config';

const CERT = { cert: Buffer.from(''), key: Buffer.from('') };
const base: Connections = {
  configPath: 'plant.yaml',
  isDemo: false,
  mqttClientId: 'energy-monitor-ingest',
  embeddedBrokerPort: 1883,
  httpPort: 8080,
  dataDir: '/tmp/data',
  publicUrl: 'http://localhost:8080',
};
const config = testConfig({
  auth: {
    tokens: [
      { name: 'demo-admin', role: 'admin', sha256: sha256Hex('demo-admin') },
      { name: 'plant-manager', role: 'enterprise', enterprise: 'alu01', sha256: sha256Hex('demo-alu01') },
      { name: 'officer', role: 'officer', sha256: sha256Hex('a real secret') },
    ],
    mqtt: [],
  },
});

describe('the port-clash message', () => {
  const clash = (port: number, reason: 'in-use' | 'not-permitted' = 'in-use') =>
    new PortUnavailableError(port, '0.0.0.0', reason, new Error('EADDRINUSE'));

  it('names the variable of the listener on that port, the TLS port too', () => {
    const listeners = configuredListeners(base, { embeddedBroker: { ...CERT, port: 8883 } });
    expect(listeners.map((l) => `${l.variable}=${l.port}`)).toEqual(['HTTP_PORT=8080', 'MQTT_PORT=1883', 'MQTT_TLS_PORT=8883']);
    expect(portClashMessage(clash(8883), listeners)).toBe(
      '端口 8883 已被占用（MQTT over TLS (embedded broker)，0.0.0.0）：请设置 MQTT_TLS_PORT 为空闲端口 / port 8883 on 0.0.0.0 is already in use (MQTT over TLS (embedded broker)): set MQTT_TLS_PORT to a free port',
    );
  });

  it('names both variables when two are set to the same port', () => {
    const listeners = configuredListeners({ ...base, httpPort: 1883 }, undefined);
    expect(portClashMessage(clash(1883), listeners)).toContain(
      'set HTTP_PORT or MQTT_PORT to a free port (HTTP_PORT and MQTT_PORT name the same port)',
    );
  });

  it('says a low port is not permitted, and has no broker listener with an external broker', () => {
    const listeners = configuredListeners({ ...base, httpPort: 80, mqttUrl: 'mqtt://broker:1883' }, undefined);
    expect(listeners.map((l) => l.variable)).toEqual(['HTTP_PORT']);
    expect(portClashMessage(clash(80, 'not-permitted'), listeners)).toContain(
      'may not be opened by this user (HTTP): set HTTP_PORT to a port above 1023',
    );
  });
});

describe('the start-up line', () => {
  const facts = { config, tls: undefined, httpPort: 8080, mqttPort: 1883, publicUrl: undefined };

  it('shows an external broker and the mail server without their passwords', () => {
    const lines = startupLines({
      ...facts,
      connections: {
        ...base,
        mqttUrl: 'mqtts://ingest:broker-pw@mq.example.test:8883',
        smtpUrl: 'smtp://u:mail-pw@mail.example.test:25',
        httpHost: '0.0.0.0',
      },
    });
    expect(lines).toEqual([
      '节能监测已启动 / energy monitor running: 看板 dashboard http://127.0.0.1:8080/ · MQTT mqtts://mq.example.test:8883 · 邮件开启 mail on (mail.example.test:25)',
    ]);
  });

  it('shows PUBLIC_URL when set, and the embedded TLS port', () => {
    const [line] = startupLines({
      ...facts,
      publicUrl: 'https://energy.example.test',
      tls: { embeddedBroker: { ...CERT, port: 8883 } },
      connections: base,
    });
    expect(line).toContain(
      '看板 dashboard https://energy.example.test/ · MQTT mqtt://127.0.0.1:1883 mqtts://127.0.0.1:8883 · 邮件关闭 mail off (SMTP_URL not set)',
    );
  });

  it('prints demo tokens only in a demo run, and only those whose text is known from the demo convention', () => {
    expect(demoTokens(config)).toEqual(['admin=demo-admin', 'alu01=demo-alu01']);
    expect(startupLines({ ...facts, connections: base })).toHaveLength(1);
    expect(startupLines({ ...facts, connections: { ...base, isDemo: true } })[1]).toBe(
      '演示令牌（仅演示）/ demo tokens (demo only): admin=demo-admin, alu01=demo-alu01',
    );
  });
});
