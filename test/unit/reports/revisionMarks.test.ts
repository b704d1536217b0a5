/**
 * Dirty-month marks (contract 8.4) against a real report archive (SQLite in a temporary
 * directory): the parameter fingerprint at start, readings and their previous usable neighbour,
 * the quiet-period recheck of ReportService that serves the marks with their reasons, a change that
 * arrives while a month (also its first revision) is built, and the rollups settled before a build.
 */
import { silentLogger } from '../../../services/core/log';
import type { Reading } from '../../../services/energy/reading';
import { EventBus } from '../../../services/events/eventBus';
import type { MonthlyReportBuilder } from '../../../services/reports/monthlyReportBuilder';
import type { MonthlyReport } from '../../../services/reports/reportModel';
import { ReportService } from '../../../services/reports/reportService';
import { RevisionMarker, parameterFingerprint, type NeighbourLookup } from '../../../services/reports/revisionMarks';
import { ReportArchive } from '../../../services/store/state/reportArchive';
import { eventually } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { reportFixture } from '../../helpers/reportFixture';
import { openTestStateDb } from '../../helpers/stateDb';

const at = (iso: string) => Date.parse(iso);
const config = testConfig();
const NOW = at('2026-06-01T01:00:00+08:00');
const logger = silentLogger();

function reading(iso: string, value = 1): Reading {
  return { enterprise: 'cem01', meter: 'e-main', ts: at(iso), value, quality: 'good' } as Reading;
}

describe('revision marks', () => {
  let stateDb: Awaited<ReturnType<typeof openTestStateDb>>;
  let archive: ReportArchive<MonthlyReport>;
  const finalise = (month: string) => archive.save({ ...reportFixture(), month, revision: 1 }, `hash-${month}`, NOW);

  beforeEach(async () => {
    stateDb = await openTestStateDb();
    archive = new ReportArchive<MonthlyReport>(stateDb);
    await archive.init();
    for (const m of ['2025-11', '2026-01', '2026-02', '2026-05']) await finalise(m);
  });
  afterEach(async () => {
    await stateDb.close();
  });

  const marker = (history: NeighbourLookup, fingerprint?: string, bus = new EventBus(logger)) =>
    new RevisionMarker({ config, bus, archive, history, logger, now: () => NOW, ...(fingerprint !== undefined && { fingerprint }) });
  const noHistory: NeighbourLookup = { usableNeighbour: async () => undefined };
  const marked = async () => (await archive.marks()).map((m) => `${m.month} ${m.kind}`);

  it('marks every finalised month "parameters" when the fingerprint changed since the last start, and nothing on the first start', async () => {
    await marker(noHistory, 'a').start();
    expect(await marked()).toEqual([]);
    await marker(noHistory, 'a').start();
    expect(await marked()).toEqual([]);
    await marker(noHistory, 'b').start();
    expect(await marked()).toEqual(['2025-11 parameters', '2026-01 parameters', '2026-02 parameters', '2026-05 parameters']);
  });

  it('fingerprints the figure-bearing configuration only', () => {
    const base = parameterFingerprint(config);
    expect(parameterFingerprint(testConfig())).toBe(base);
    expect(parameterFingerprint(testConfig({ notify: { from: 'x <x@example.org>' } }))).toBe(base);
    expect(parameterFingerprint(testConfig({ coefficients: { natural_gas: 1.2 } }))).not.toBe(base);
    expect(parameterFingerprint(config, { changed: true })).not.toBe(base);
  });

  it('marks from the previous usable reading, and looks it up only while it could reach a finalised month', async () => {
    const asked: number[] = [];
    // The reading before anything is 20 January 2026.
    const history: NeighbourLookup = {
      usableNeighbour: async (_key, ts) => {
        asked.push(ts);
        return ts > at('2026-01-20T00:00:00+08:00') ? reading('2026-01-20T00:00:00+08:00') : undefined;
      },
    };
    const bus = new EventBus(logger);
    const m = marker(history, undefined, bus);
    await m.start();
    // A catch-up reading in June (after every finalised month, not late): its pair reaches back to January.
    bus.emit('readingsStored', { readings: [reading('2026-06-01T00:30:00+08:00', 500)] });
    await m.settled();
    expect(await marked()).toEqual(['2026-01 readings', '2026-02 readings', '2026-05 readings']);
    expect(asked).toHaveLength(1);
    // The next reading's previous one is the June reading this process saw: no lookup, no mark.
    await archive.clearMarks('2026-01', 1e9);
    await archive.clearMarks('2026-02', 1e9);
    await archive.clearMarks('2026-05', 1e9);
    bus.emit('readingsStored', { readings: [reading('2026-06-01T00:45:00+08:00', 501)] });
    await m.settled();
    expect(asked).toHaveLength(1);
    expect(await marked()).toEqual([]);
    // A late correction inside February marks February on (dataQuality), without a lookup.
    bus.emit('dataQuality', { events: [{ kind: 'correction', enterprise: 'cem01', meter: 'e-main', ts: at('2026-02-10T00:00:00+08:00') }] });
    await m.settled(); // the mark is written asynchronously
    expect(await marked()).toEqual(['2026-02 readings', '2026-05 readings']);
    await m.stop();
  });

  it('rechecks once the marks stay quiet for a poll, serving them with their reasons', async () => {
    const builder = {
      // Different figures from the stored revision: the recheck makes revision 2.
      build: async (month: string, _at: number, revision: number): Promise<MonthlyReport> => ({ ...reportFixture(), month, revision }),
    } as unknown as MonthlyReportBuilder;
    const service = new ReportService({ config, builder, archive, sinks: [], logger, now: () => NOW, markPollMs: 20 });
    await archive.markFrom('2026-02', 'meter-event', NOW);
    await archive.markFrom('2026-05', 'monthly-statistics', NOW);
    await service.start();
    try {
      await eventually(async () => expect(await archive.marks()).toEqual([]), 5000);
      await eventually(async () => expect((await archive.revisions('2026-05')).map((r) => [r.revision, r.reasons])).toHaveLength(2), 5000);
      expect((await archive.revisions('2026-02')).map((r) => [r.revision, r.reasons])).toEqual([
        [1, []],
        [2, ['meter-event']],
      ]);
      expect((await archive.revisions('2026-05')).map((r) => r.reasons)).toEqual([[], ['meter-event', 'monthly-statistics']]);
      // 2025-11 and 2026-01 had no mark and are outside recheckMonths (3 before June: March to May).
      expect(await archive.revisions('2026-01')).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });

  /** A builder whose figures are the current `data`; `during` runs inside the build, after the data was read. */
  const stubBuilder = (state: { data: number; during?: () => Promise<void> }, calls: string[] = []) =>
    ({
      build: async (month: string, _at: number, revision: number): Promise<MonthlyReport> => {
        calls.push(`build ${month}`);
        const fixture = reportFixture();
        const totalTce = state.data;
        if (state.during) await state.during();
        return { ...fixture, month, revision, totals: { ...fixture.totals, totalTce } };
      },
    }) as unknown as MonthlyReportBuilder;

  it('keeps the mark of a change that arrives while the first revision of a month is built, and the next recheck revises it', async () => {
    const bus = new EventBus(logger);
    const m = marker(noHistory, undefined, bus);
    await m.start();
    // December 2025 is not finalised yet and outside recheckMonths (March to May): only a mark can revise it.
    const state: { data: number; during?: () => Promise<void> } = { data: 1 };
    state.during = async () => {
      // A late December reading is stored after the build read the data: it is not in revision 1.
      state.data = 2;
      bus.emit('readingsStored', { readings: [reading('2025-12-10T00:00:00+08:00', 5)] });
      await m.settled();
    };
    const service = new ReportService({ config, builder: stubBuilder(state), archive, sinks: [], logger, now: () => NOW });
    const first = await service.finalise('2025-12');
    state.during = undefined;
    expect(first.report).toMatchObject({ revision: 1, totals: { totalTce: 1 } });
    // The mark outlives the build; the build registration is gone.
    expect(await marked()).toEqual(['2025-12 readings', '2026-01 readings', '2026-02 readings', '2026-05 readings']);
    expect(await archive.latestMarkableMonth()).toBe('2026-05');
    expect((await archive.pendingMarks()).map((x) => x.month)).toContain('2025-12');

    await service.recheck(NOW);
    expect((await archive.revisions('2025-12')).map((r) => [r.revision, r.reasons])).toEqual([
      [1, []],
      [2, ['readings']],
    ]);
    expect((await archive.get('2025-12'))?.totals.totalTce).toBe(2);
    expect(await marked()).toEqual([]);
    await m.stop();
  });

  it('marks a month not finalised only while a revision of it is built; such marks wait for its finalisation', async () => {
    await archive.markFrom('2025-12', 'meter-event', NOW);
    expect(await marked()).toEqual(['2026-01 meter-event', '2026-02 meter-event', '2026-05 meter-event']);
    const id = await archive.beginBuild('2026-03');
    await archive.markFrom('2026-03', 'monthly-statistics', NOW);
    await archive.endBuild(id);
    await archive.markFrom('2026-03', 'parameters', NOW);
    expect(await marked()).toContain('2026-03 monthly-statistics');
    expect(await marked()).not.toContain('2026-03 parameters');
    // Not finalised: nothing for a recheck to serve.
    expect((await archive.pendingMarks()).map((x) => `${x.month} ${x.kind}`)).not.toContain('2026-03 monthly-statistics');
    // Its first finalisation serves it (the build comes after the change).
    const service = new ReportService({ config, builder: stubBuilder({ data: 1 }), archive, sinks: [], logger, now: () => NOW });
    await service.finalise('2026-03');
    expect((await marked()).filter((x) => x.startsWith('2026-03'))).toEqual([]);
  });

  it('waits for the store to settle its rollups before building, and saves nothing when that fails', async () => {
    const calls: string[] = [];
    let fail = false;
    const settle = async () => {
      calls.push('settle');
      if (fail) throw new Error('influx down');
    };
    const service = new ReportService({ config, builder: stubBuilder({ data: 1 }, calls), archive, sinks: [], logger, now: () => NOW, settle });
    await archive.markFrom('2026-02', 'readings', NOW);
    await service.finalise('2026-02');
    expect(calls).toEqual(['settle', 'build 2026-02']);
    expect(await archive.revisions('2026-02')).toHaveLength(2);

    fail = true;
    calls.length = 0;
    await archive.markFrom('2026-02', 'readings', NOW);
    await expect(service.finalise('2026-02')).rejects.toThrow('influx down');
    expect(calls).toEqual(['settle']);
    expect(await archive.revisions('2026-02')).toHaveLength(2);
    // The mark stays for the next recheck, and no build stays registered.
    expect(await marked()).toContain('2026-02 readings');
    expect(await archive.latestMarkableMonth()).toBe('2026-05');
  });

  it('refuses to finalise a month that has not ended', async () => {
    const service = new ReportService({ config, builder: {} as MonthlyReportBuilder, archive, sinks: [], logger, now: () => NOW });
    await expect(service.finalise('2026-06')).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.finalise('2099-01')).rejects.toMatchObject({ code: 'conflict' });
  });
});
