/**
 * Finalised months (contract 8.4, issue 19 item 5) through the running service: a month that has not
 * ended cannot be finalised; a draft says so with the instant its data runs to; a catch-up reading
 * after a four-month silence marks every finalised month its pair of readings spans, the marks
 * survive a restart, and the next recheck revises January although it is outside
 * `reports.recheckMonths`, with the reason recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MonthlyReport } from '../../services/reports/reportModel';
import { ReportArchive } from '../../services/store/state/reportArchive';
import { testConfig } from '../helpers/config';
import { openTestStateDb } from '../helpers/stateDb';
import { authSection, eventually, startApp, TOKENS, type RunningApp } from '../helpers/app';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-06-01T01:00:00+08:00');
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '示例铝业',
      industry: '3216',
      meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 }],
    },
    { id: 'cem01', name: '示例水泥', industry: '3011', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
  // Only May is rechecked by age: January can only be revised through its marks.
  reports: { recipients: [], language: 'zh-CN', recheckMonths: 1 },
});
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05'];

describe('finalised months', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finalised-months-'));
  let svc: RunningApp;
  const publish = async (iso: string, value: number) => {
    await svc.app.pipeline.accept({ topic: 'energy/alu01/e', payload: JSON.stringify({ ts: iso, value }), receivedAt: NOW });
    await svc.settle();
  };
  const report = async (month: string, token: string = TOKENS.officer) =>
    (await svc.get(`/api/reports/monthly?month=${month}`, token)).body as MonthlyReport;
  const marks = async () => {
    // A connection of its own to DATA_DIR/state.db, as another reader of the file would have.
    const db = await openTestStateDb(dataDir);
    try {
      return (await new ReportArchive<MonthlyReport>(db).marks()).map((m) => `${m.month} ${m.kind}`);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => NOW, dataDir });
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to finalise a month that has not ended (409), including the current one and 2099-01', async () => {
    for (const month of ['2026-06', '2026-12', '2099-01']) {
      const res = await svc.post(`/api/reports/monthly/finalise?month=${month}`, {});
      expect({ month, status: res.status, code: (res.body as { error: { code: string } }).error.code }).toEqual({
        month,
        status: 409,
        code: 'conflict',
      });
    }
    expect((await svc.get('/api/reports/revisions')).body).toEqual([]);
  });

  it('serves a month not finalised as a draft with the instant its data runs to', async () => {
    // Register 0 on 1 January, 1,000 on 20 January, then silence.
    await publish('2026-01-01T00:00:00+08:00', 0);
    await publish('2026-01-20T00:00:00+08:00', 1000);
    const draft = await report('2026-01');
    expect(draft).toMatchObject({ revision: 0, draft: true, dataUntil: '2026-01-20T00:00:00.000+08:00' });
    // No reading in June yet.
    expect(await report('2026-06')).toMatchObject({ draft: true, dataUntil: null });
    // An enterprise's own draft runs to its own meters: cem01 has none.
    expect((await svc.get('/api/reports/monthly/cem01?month=2026-01')).body).toMatchObject({ draft: true, dataUntil: null });
  });

  it('revises January after a catch-up reading closes a four-month gap, across a restart, with the reason', async () => {
    for (const month of MONTHS) expect((await svc.post(`/api/reports/monthly/finalise?month=${month}`, {})).status).toBe(201);
    // January: 1,000 kWh x 0.1229 kgce/kWh = 122.9 kgce = 0.1229 tce; February had no reading: 0.
    expect((await report('2026-01')).totals.totalTce).toBeCloseTo(0.1229, 9);
    expect(await report('2026-01')).toMatchObject({ revision: 1, draft: false });
    expect((await report('2026-02')).totals.totalTce).toBe(0);

    // 20 May: register 121,000. The step of 120,000 kWh spreads over the 120 days since 20 January
    // (31 + 28 + 31 + 30): 1,000 kWh a day. January gains 20 Jan..1 Feb = 12 days = 12,000 kWh.
    await publish('2026-05-20T00:00:00+08:00', 121_000);
    await eventually(async () => expect(await marks()).toEqual(MONTHS.map((m) => `${m} readings`)), 10_000);

    // The marks are in state.db: a restart keeps them.
    await svc.stop();
    svc = await startApp(config, {}, { now: () => NOW, dataDir });
    expect(await marks()).toHaveLength(MONTHS.length);
    await svc.app.reports.recheck(NOW);

    const january = await report('2026-01');
    // 13,000 kWh x 0.1229 / 1000 = 1.5977 tce.
    expect(january).toMatchObject({ revision: 2, reasons: ['readings'], draft: false });
    expect(january.totals.totalTce).toBeCloseTo(1.5977, 9);
    expect(january.revisionNote).toContain('for readings');
    // February: 28 days x 1,000 kWh = 28,000 kWh = 3.4412 tce.
    expect((await report('2026-02')).totals.totalTce).toBeCloseTo(3.4412, 9);
    const revisions = (await svc.get('/api/reports/revisions?month=2026-01', TOKENS.auditor)).body as { revision: number; reasons: string[] }[];
    expect(revisions.map((r) => [r.revision, r.reasons])).toEqual([
      [1, []],
      [2, ['readings']],
    ]);
    // Revision 1 stays downloadable with its figures.
    expect(((await svc.get('/api/reports/monthly?month=2026-01&revision=1')).body as MonthlyReport).totals.totalTce).toBeCloseTo(0.1229, 9);
    expect(await marks()).toEqual([]);
  });

  it('marks from a ledger change every finalised month from its data time on, and a mark that changes nothing makes no revision', async () => {
    svc.app.bus.emit('ledgerChanged', { kind: 'monthly-statistics', enterprise: 'alu01', from: at('2026-03-15T00:00:00+08:00') });
    expect(await marks()).toEqual(['2026-03 monthly-statistics', '2026-04 monthly-statistics', '2026-05 monthly-statistics']);
    // Every rebuild first waits for the store's rollups of what was written before it.
    // (The store is a metrics proxy: an own property on it, removed afterwards, counts the calls.)
    const store = svc.app.store;
    const settle = store.settleRollups;
    let settled = 0;
    store.settleRollups = () => {
      settled++;
      return settle();
    };
    try {
      await svc.app.reports.recheck(NOW);
    } finally {
      delete (store as Partial<typeof store>).settleRollups;
    }
    // March, April and May (marked), each settled before its build.
    expect(settled).toBe(3);
    expect(await marks()).toEqual([]);
    expect(await report('2026-03')).toMatchObject({ revision: 2, reasons: ['readings'] });
  });
});
