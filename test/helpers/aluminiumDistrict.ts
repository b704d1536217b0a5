/**
 * The district the end-to-end suites share: an aluminium smelter on a 50 tce quota under the
 * aluminium step tariff and a cement plant, evaluated at 2 March 2026 01:00 (60 days and 1 hour of
 * 2026 have passed, f = 60.041667 / 365 = 0.164498), and the smelter's 1 March published by its
 * gateway: 400,000 kWh and 30 t of liquid aluminium.
 */
import mqtt from 'mqtt';
import type { Config, ConfigInput } from '../../config/schema';
import { authSection, eventually, type RunningApp } from './app';
import { testConfig } from './config';

export const AT = Date.parse('2026-03-02T01:00:00+08:00');

export function aluminiumDistrict(options: { cementQuotaTce: number; notify?: ConfigInput['notify'] }): Config {
  return testConfig({
    auth: authSection(),
    enterprises: [
      {
        id: 'alu01',
        name: '重庆示例铝业有限公司',
        industry: '3216',
        tariff: 'aluminium-2025',
        quotas: [{ year: 2026, totalTce: 50 }],
        meters: [
          { id: 'e-main', name: '总电能表', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
          { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter', intervalSeconds: 900 },
        ],
      },
      {
        id: 'cem01',
        name: '测试水泥',
        industry: '3011',
        quotas: [{ year: 2026, totalTce: options.cementQuotaTce }],
        meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }],
      },
    ],
    tariffs: [{ id: 'aluminium-2025', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 }],
    ...(options.notify && { notify: options.notify }),
  });
}

/** Publishes one gateway message with QoS 1 on its own connection. */
export async function publish(brokerUrl: string, topic: string, payload: unknown): Promise<void> {
  const gw = await mqtt.connectAsync(brokerUrl, { clientId: `gw-${process.pid}-${Math.random()}`, reconnectPeriod: 0 });
  await gw.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  await gw.endAsync();
}

/** The smelter's 1 March (400,000 kWh, 30 t), published and stored. */
export async function publishSmelterDay(svc: RunningApp, brokerUrl: string): Promise<void> {
  await publish(brokerUrl, 'energy/alu01', [
    { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 1_000_000 },
    { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 1_400_000 },
    { meter: 'out', ts: '2026-03-01T00:00:00+08:00', value: 500 },
    { meter: 'out', ts: '2026-03-02T00:00:00+08:00', value: 530 },
  ]);
  await eventually(async () => {
    await svc.settle();
    const res = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
    if ((res.body as { series: unknown[] }).series.length !== 2) throw new Error('the smelter day is not stored yet');
  });
}
