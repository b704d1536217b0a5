/**
 * Orphaned meters and meter-parameter drift at start (contract 8.1): stored meters the
 * configuration no longer has are logged and listed in /healthz's detail, also for an enterprise
 * dropped from the configuration; a multiplier edited in the YAML after history began is listed as
 * drift. Neither fails health. Two starts of the whole service on one data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS } from '../helpers/app';
import type { Reading } from '../../services/energy/reading';

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
        drift: ['alu01/e-main: multiplier 2 -> 4'],
      });
      // Without a token only the counts show (issue 14: no strings to anyone).
      const open = await b.get('/healthz', null);
      expect((open.body as Health).meters).toEqual({ ok: true, checked: true, orphanedMeterCount: 2, driftCount: 1 });
    } finally {
      await b.stop();
    }
  });
});
