/**
 * Orphaned meters and meter-parameter drift at start (contract 8.1): stored meters the
 * configuration no longer has are logged and listed in /healthz's detail, also for an enterprise
 * dropped from the configuration; a multiplier edited in the YAML after history began is listed as
 * drift and not applied: hours recomputed later keep the remembered multiplier. A changed kind of a
 * meter with history refuses start-up. Starts of the whole service on one data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/schema';
import { App } from '../../services/app';
import { silentLogger } from '../../services/core/log';
import type { Reading } from '../../services/energy/reading';
import { meterDrift } from '../../services/ledger/meterInventory';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS } from '../helpers/app';

const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const reading = (enterprise: string, meter: string): Reading => ({ enterprise, meter, ts: NOW - 3_600_000, value: 10, quality: 'good' });

interface Health {
  status: string;
  meters: { ok: boolean; orphanedMeterCount: number; orphanedMeters?: string[]; driftCount: number; drift?: string[] };
}

describe('meter inventory at start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'inventory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists stored meters without configuration and multiplier drift, across a restart, without failing health', async () => {
    const first = testConfig({ auth: authSection() });
    const a = await startApp(first, {}, { now: () => NOW, dataDir: dir });
    // History for configured meters of both enterprises, and for one meter never configured.
    await a.app.store.write({ readings: [reading('alu01', 'e-main'), reading('cem01', 'e-main'), reading('alu01', 'old-sub')], hourly: [] });
    await a.stop();

    // The new configuration drops cem01 and doubles e-main's multiplier (2 -> 4).
    const second = testConfig({
      auth: { ...authSection(), tokens: authSection().tokens, mqtt: authSection().mqtt.filter((m) => m.enterprise !== 'cem01') },
      enterprises: first.enterprises
        .filter((e) => e.id === 'alu01')
        .map((e) => ({ ...e, meters: e.meters.map((m) => (m.id === 'e-main' ? { ...m, multiplier: 4 } : m)) })),
    });
    const b = await startApp(second, {}, { now: () => NOW, dataDir: dir });
    try {
      const staff = await b.get('/healthz', TOKENS.auditor);
      expect(staff.status).toBe(200);
      expect((staff.body as Health).meters).toEqual({
        ok: true,
        checked: true,
        orphanedMeterCount: 2,
        orphanedMeters: ['alu01/old-sub', 'cem01/e-main'],
        driftCount: 1,
        drift: ['alu01/e-main: multiplier 2 -> 4 (not applied)'],
      });
      // Without a token only the counts show (issue 14: no strings to anyone).
      const open = await b.get('/healthz', null);
      expect((open.body as Health).meters).toEqual({ ok: true, checked: true, orphanedMeterCount: 2, driftCount: 1 });
    } finally {
      await b.stop();
    }
  });

  it('keeps the remembered multiplier for hours recomputed after a YAML edit, and lists the drift', async () => {
    const drifted = mkdtempSync(path.join(os.tmpdir(), 'inventory-drift-'));
    const configWith = (meter: Partial<Config['enterprises'][number]['meters'][number]>) =>
      testConfig({
        auth: authSection(),
        enterprises: [
          {
            id: 'alu01',
            name: '示例铝业',
            industry: '3216',
            meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900, multiplier: 200, ...meter }],
          },
          { id: 'cem01', name: '示例水泥', industry: '3011', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
        ],
      });
    const day = (hh: string) => Date.parse(`2026-11-28T${hh}:00:00+08:00`);
    const publish = async (svc: Awaited<ReturnType<typeof startApp>>, hh: string, value: number) => {
      await svc.app.pipeline.accept({
        topic: 'energy/alu01/e',
        payload: JSON.stringify({ ts: new Date(day(hh)).toISOString(), value }),
        receivedAt: NOW,
      });
      await svc.settle();
    };
    const hours = async (svc: Awaited<ReturnType<typeof startApp>>) =>
      (await svc.app.store.hourly({ enterprise: 'alu01', meter: 'e' }, day('00'), day('04'))).map((h) => h.quantity);
    try {
      // Multiplier 200: registers 100 at 00:00 and 110 at 02:00, 10 x 200 = 2,000 kWh over two hours.
      const a = await startApp(configWith({}), {}, { now: () => NOW, dataDir: drifted });
      try {
        await publish(a, '00', 100);
        await publish(a, '02', 110);
        expect(await hours(a)).toEqual([1000, 1000]);
      } finally {
        await a.stop();
      }

      // The YAML now says 400. A late reading at 01:00 (104) recomputes 00:00-02:00 from the store:
      // 4 x 200 = 800 and 6 x 200 = 1,200 kWh, not 1,600 and 2,400; a new one at 03:00 (111) adds 200.
      const b = await startApp(configWith({ multiplier: 400 }), {}, { now: () => NOW, dataDir: drifted });
      try {
        await publish(b, '01', 104);
        await publish(b, '03', 111);
        expect(await hours(b)).toEqual([800, 1200, 200]);
        expect(((await b.get('/healthz', TOKENS.auditor)).body as Health).meters).toMatchObject({
          driftCount: 1,
          drift: ['alu01/e: multiplier 200 -> 400 (not applied)'],
        });
      } finally {
        await b.stop();
      }

      // An interval meter cannot read a counter's history: start-up is refused, naming the meter and the way out.
      const c = new App(
        {
          config: configWith({ kind: 'interval' }),
          connections: {
            configPath: 'test',
            isDemo: false,
            embeddedBrokerPort: 0,
            mqttClientId: `inventory-test-${process.pid}`,
            httpPort: 0,
            dataDir: drifted,
            publicUrl: 'http://localhost',
          },
          simulate: false,
        },
        { logger: silentLogger(), now: () => NOW },
      );
      try {
        await expect(c.start()).rejects.toThrow(/meter alu01\/e: kind counter -> interval .*new meter id.*'decommission'/);
      } finally {
        await c.stop();
        // Not started, so not stopped by the app; its MQTT engine runs a heartbeat from construction.
        await c.broker?.stop();
      }
    } finally {
      rmSync(drifted, { recursive: true, force: true });
    }
  });

  it('tells a changed unit (refused) from a changed multiplier or rollover (kept from the baseline)', () => {
    const base = { enterprise: 'alu01', meter: 'g', kind: 'counter', unit: 'm3', multiplier: 1, rollover: null, firstSeenAt: 0 };
    expect(meterDrift([{ ...base, unit: 'GJ', rollover: 99999 }], [base])).toEqual([
      {
        meter: 'alu01/g',
        changed: ['unit m3 -> GJ', 'rollover none -> 99999'],
        refused: ['unit m3 -> GJ'],
        base: { multiplier: 1, rollover: undefined },
      },
    ]);
    // A baseline remembered before units were has none: no drift until it is filled in.
    expect(meterDrift([{ ...base, unit: 'GJ' }], [{ ...base, unit: null }])).toEqual([]);
  });
});
