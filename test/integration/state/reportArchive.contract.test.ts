/**
 * ReportArchive's contract, held on SQLite and on PostgreSQL: revisions are never overwritten (of
 * two connections saving one revision at once exactly one wins, the other gets a conflict), reports
 * round-trip as stored, marks reach the finalised months and those being built and are replaced
 * with a newer id, stale builds are forgotten at init, settings and downloads.
 */
import type { ArchivedReport } from '../../../services/store/state/reportArchive';
import { ReportArchive, RevisionConflictError } from '../../../services/store/state/reportArchive';
import { describeStateEngines, raceInTwoProcesses, stateModule } from '../../helpers/stateDb';

interface TestReport extends ArchivedReport {
  readonly figures: { readonly totalTce: number; readonly generatedAt: number; readonly tariff: number | null };
}

/** 2026-01-01T00:00:00+08:00: well past 2^32, as real timestamps are. */
const T0 = 1_767_225_600_000;
const HOUR = 3_600_000;

const report = (month: string, revision: number, extra: Partial<TestReport> = {}): TestReport => ({
  month,
  revision,
  sha256: `sha-${month}-${revision}`,
  figures: { totalTce: 1234.5678, generatedAt: T0, tariff: null },
  ...extra,
});

describeStateEngines('ReportArchive', (engine) => {
  const fresh = async () => new ReportArchive<TestReport>(await engine.fresh());
  const marked = async (archive: ReportArchive<TestReport>) => (await archive.marks()).map((m) => `${m.month} ${m.kind}`);

  it('stores revisions and reads them back exactly: latest, a given one, content hash, infos in order', async () => {
    const archive = await fresh();
    expect(await archive.get('2026-01')).toBeUndefined();
    expect(await archive.latestContentHash('2026-01')).toBeUndefined();
    expect(await archive.revisions()).toEqual([]);

    const first = report('2026-01', 1);
    const second = report('2026-01', 2, {
      revisionNote: 'cem01: totalTce 1 -> 2 tce',
      reasons: ['readings', 'meter-event'],
      figures: { totalTce: 0.1 + 0.2, generatedAt: T0 + 1, tariff: 0.6123 },
    });
    await archive.save(first, 'hash-1', T0 + HOUR);
    await archive.save(second, 'hash-2', T0 + 2 * HOUR);
    await archive.save(report('2025-12', 1), 'hash-dec', T0 + 3 * HOUR);

    expect(await archive.get('2026-01')).toEqual(second);
    expect(await archive.get('2026-01', 1)).toEqual(first);
    expect(await archive.get('2026-01', 3)).toBeUndefined();
    expect(await archive.get('2026-02')).toBeUndefined();
    expect(await archive.latestContentHash('2026-01')).toEqual({ revision: 2, contentHash: 'hash-2', report: second });
    expect((await archive.get('2026-01'))?.figures.totalTce).toBe(0.30000000000000004);

    expect(await archive.revisions('2026-01')).toEqual([
      { month: '2026-01', revision: 1, sha256: 'sha-2026-01-1', createdAt: T0 + HOUR, note: null, reasons: [] },
      {
        month: '2026-01',
        revision: 2,
        sha256: 'sha-2026-01-2',
        createdAt: T0 + 2 * HOUR,
        note: 'cem01: totalTce 1 -> 2 tce',
        reasons: ['readings', 'meter-event'],
      },
    ]);
    // Every month: newest month first, revisions ascending within it.
    expect((await archive.revisions()).map((r) => `${r.month}#${r.revision}`)).toEqual(['2026-01#1', '2026-01#2', '2025-12#1']);
    expect(await archive.revisions('2026-03')).toEqual([]);
  });

  it('never overwrites a revision: saving one already stored is refused with RevisionConflictError, and nothing changes', async () => {
    const archive = await fresh();
    await archive.save(report('2026-01', 1), 'hash-1', T0);
    const late = archive.save(report('2026-01', 1, { sha256: 'late' }), 'hash-late', T0 + 1);
    await expect(late).rejects.toBeInstanceOf(RevisionConflictError);
    await expect(archive.save(report('2026-01', 1, { sha256: 'late' }), 'hash-late', T0 + 1)).rejects.toMatchObject({
      code: 'conflict',
      context: { month: '2026-01', revision: 1 },
    });
    expect(await archive.get('2026-01', 1)).toEqual(report('2026-01', 1));
    expect(await archive.latestContentHash('2026-01')).toEqual({ revision: 1, contentHash: 'hash-1', report: report('2026-01', 1) });
    // The next revision goes through.
    await archive.save(report('2026-01', 2), 'hash-2', T0 + 2);
    expect((await archive.revisions('2026-01')).map((r) => [r.revision, r.sha256])).toEqual([
      [1, 'sha-2026-01-1'],
      [2, 'sha-2026-01-2'],
    ]);
  });

  // Two hosts on PostgreSQL race in this process; on SQLite two processes race below, as
  // scaled-out instances on one host would.
  if (engine.name === 'postgres')
    it('lets exactly one of two connections saving the same revision at once win; the other gets a conflict', async () => {
      const db = await engine.fresh();
      const here = new ReportArchive<TestReport>(db);
      const there = new ReportArchive<TestReport>(await engine.reopen(db));
      await here.save(report('2026-01', 1), 'hash-1', T0);
      for (let round = 2; round <= 11; round++) {
        const outcomes = await Promise.allSettled([
          here.save(report('2026-01', round, { sha256: `a${round}` }), 'hash-a', T0 + round),
          there.save(report('2026-01', round, { sha256: `b${round}` }), 'hash-b', T0 + round),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const lost = outcomes.find((o) => o.status === 'rejected');
        expect(lost?.status === 'rejected' && lost.reason instanceof RevisionConflictError).toBe(true);
        const winner = outcomes[0]!.status === 'fulfilled' ? `a${round}` : `b${round}`;
        expect((await there.get('2026-01', round))?.sha256).toBe(winner);
      }
      expect((await here.revisions('2026-01')).map((r) => r.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

  it('knows the latest finalised month and the latest markable one (a build counts until it ends)', async () => {
    const archive = await fresh();
    expect(await archive.latestFinalisedMonth()).toBeUndefined();
    expect(await archive.latestMarkableMonth()).toBeUndefined();
    await archive.save(report('2025-11', 1), 'h', T0);
    await archive.save(report('2026-01', 1), 'h', T0);
    await archive.save(report('2025-12', 1), 'h', T0);
    expect(await archive.latestFinalisedMonth()).toBe('2026-01');
    const a = await archive.beginBuild('2026-03');
    const b = await archive.beginBuild('2026-02');
    expect(b).toBeGreaterThan(a);
    expect(await archive.latestMarkableMonth()).toBe('2026-03');
    expect(await archive.latestFinalisedMonth()).toBe('2026-01');
    await archive.endBuild(a);
    expect(await archive.latestMarkableMonth()).toBe('2026-02');
    await archive.endBuild(b);
    expect(await archive.latestMarkableMonth()).toBe('2026-01');
  });

  it('forgets at init the builds left behind for more than a day, and keeps the recent ones', async () => {
    const db = await engine.fresh();
    const archive = new ReportArchive<TestReport>(db);
    const started = Date.now();
    await archive.beginBuild('2026-04');
    await archive.init(started + 23 * HOUR);
    expect(await archive.latestMarkableMonth()).toBe('2026-04');
    // Another instance starting a day later (same database).
    await new ReportArchive<TestReport>(await engine.reopen(db)).init(Date.now() + 24 * HOUR + 1000);
    expect(await archive.latestMarkableMonth()).toBeUndefined();
    await archive.init();
  });

  it('marks every markable month from a month on, replacing a mark with a newer id, and counts them', async () => {
    const archive = await fresh();
    for (const m of ['2025-11', '2026-01', '2026-02', '2026-05']) await archive.save(report(m, 1), `hash-${m}`, T0);
    expect(await archive.markFrom('2026-06', 'readings', T0)).toBe(0);
    expect(await archive.markFrom('2025-12', 'meter-event', T0 + 1)).toBe(3);
    expect(await marked(archive)).toEqual(['2026-01 meter-event', '2026-02 meter-event', '2026-05 meter-event']);
    const before = await archive.marks();
    expect(before.map((m) => m.id)).toEqual([...before.map((m) => m.id)].sort((x, y) => x - y));
    expect(before[0]).toEqual({ id: before[0]!.id, month: '2026-01', kind: 'meter-event', markedAt: T0 + 1 });

    // The same kind again: the same months, each with a newer id and time; '' marks every month.
    expect(await archive.markFrom('2026-02', 'meter-event', T0 + 2)).toBe(2);
    expect(await archive.markFrom('', 'parameters', T0 + 3)).toBe(4);
    const after = await archive.marks();
    expect(after.map((m) => `${m.month} ${m.kind} ${m.markedAt - T0}`)).toEqual([
      '2025-11 parameters 3',
      '2026-01 meter-event 1',
      '2026-01 parameters 3',
      '2026-02 meter-event 2',
      '2026-02 parameters 3',
      '2026-05 meter-event 2',
      '2026-05 parameters 3',
    ]);
    const id = (month: string, kind: string) => after.find((m) => m.month === month && m.kind === kind)!.id;
    const oldId = (month: string) => before.find((m) => m.month === month)!.id;
    expect(id('2026-01', 'meter-event')).toBe(oldId('2026-01'));
    expect(id('2026-02', 'meter-event')).toBeGreaterThan(Math.max(...before.map((m) => m.id)));
    expect(id('2026-05', 'meter-event')).toBeGreaterThan(id('2026-02', 'meter-event'));
    expect(await archive.pendingMarks()).toEqual(after);
  });

  it('marks a month being built too; such marks wait (not pending) until the month is finalised', async () => {
    const archive = await fresh();
    await archive.save(report('2026-01', 1), 'h', T0);
    const build = await archive.beginBuild('2026-03');
    // Two builds of one month mark it once.
    const again = await archive.beginBuild('2026-03');
    expect(await archive.markFrom('2026-02', 'monthly-statistics', T0)).toBe(1);
    await archive.endBuild(build);
    await archive.endBuild(again);
    expect(await archive.markFrom('2026-02', 'parameters', T0)).toBe(0);
    expect(await marked(archive)).toEqual(['2026-03 monthly-statistics']);
    expect(await archive.pendingMarks()).toEqual([]);
    await archive.save(report('2026-03', 1), 'h', T0);
    expect((await archive.pendingMarks()).map((m) => `${m.month} ${m.kind}`)).toEqual(['2026-03 monthly-statistics']);
  });

  it('clears the marks of one month up to an id, leaving later marks and other months', async () => {
    const archive = await fresh();
    for (const m of ['2026-01', '2026-02']) await archive.save(report(m, 1), 'h', T0);
    await archive.markFrom('2026-01', 'readings', T0);
    const seen = Math.max(...(await archive.marks()).map((m) => m.id));
    await archive.markFrom('2026-01', 'meter-event', T0 + 1);
    await archive.clearMarks('2026-01', seen);
    // Oldest month first, then by id (the order they were marked in).
    expect(await marked(archive)).toEqual(['2026-01 meter-event', '2026-02 readings', '2026-02 meter-event']);
    await archive.clearMarks('2026-02', Number.MAX_SAFE_INTEGER);
    await archive.clearMarks('2026-07', Number.MAX_SAFE_INTEGER);
    expect(await marked(archive)).toEqual(['2026-01 meter-event']);
  });

  if (engine.name === 'postgres')
    it('lets two connections mark the same months at once without a clash', async () => {
      const db = await engine.fresh();
      const here = new ReportArchive<TestReport>(db);
      const there = new ReportArchive<TestReport>(await engine.reopen(db));
      for (const m of ['2026-01', '2026-02', '2026-03']) await here.save(report(m, 1), 'h', T0);
      const counts = await Promise.all([
        here.markFrom('2026-01', 'readings', T0),
        there.markFrom('2026-01', 'readings', T0 + 1),
        here.markFrom('2026-02', 'readings', T0 + 2),
        there.markFrom('', 'readings', T0 + 3),
      ]);
      expect(counts).toEqual([3, 3, 2, 3]);
      expect(await marked(there)).toEqual(['2026-01 readings', '2026-02 readings', '2026-03 readings']);
    });

  if (engine.name === 'sqlite')
    it('lets exactly one of two processes saving the same revisions at once win each, and marks each month once', async () => {
      const db = await engine.fresh();
      const archive = new ReportArchive<TestReport>(db);
      for (const m of RACED) await archive.save(report(m, 1), 'h', T0);
      // Both start at the same instant, once their databases are open.
      const outputs = await raceInTwoProcesses(db.location, racer(), ['a', 'b'], 3000);
      const won = outputs.flatMap((o) => JSON.parse(o) as { month: string; revision: number; sha256: string }[]);
      // Every revision 2..SAVES+1 of every month was won by exactly one of them, and holds its report.
      expect(won).toHaveLength(RACED.length * SAVES);
      for (const m of RACED) {
        expect((await archive.revisions(m)).map((r) => r.revision)).toEqual(Array.from({ length: 1 + SAVES }, (_, i) => i + 1));
        for (const r of won.filter((x) => x.month === m)) expect((await archive.get(m, r.revision))?.sha256).toBe(r.sha256);
      }
      expect(await marked(archive)).toEqual(RACED.map((m) => `${m} readings`));
    });

  it('keeps settings, replacing a value', async () => {
    const archive = await fresh();
    expect(await archive.setting('parameter-fingerprint')).toBeUndefined();
    await archive.setSetting('parameter-fingerprint', 'a');
    await archive.setSetting('other', '');
    await archive.setSetting('parameter-fingerprint', 'b');
    expect(await archive.setting('parameter-fingerprint')).toBe('b');
    expect(await archive.setting('other')).toBe('');
  });

  it('records downloads and lists them newest first, up to a limit', async () => {
    const archive = await fresh();
    expect(await archive.downloads()).toEqual([]);
    const d = (i: number) => ({
      at: T0 + i,
      who: `user${i}`,
      role: 'viewer',
      scope: 'district',
      month: '2026-01',
      revision: i,
      format: 'pdf',
      sha256: `s${i}`,
    });
    for (const i of [1, 2, 3]) await archive.recordDownload(d(i));
    await archive.recordDownload({ ...d(4), who: '张三', role: 'enterprise', scope: 'cem01', format: 'xlsx' });
    expect(await archive.downloads()).toEqual([{ ...d(4), who: '张三', role: 'enterprise', scope: 'cem01', format: 'xlsx' }, d(3), d(2), d(1)]);
    expect(await archive.downloads(2)).toEqual([{ ...d(4), who: '张三', role: 'enterprise', scope: 'cem01', format: 'xlsx' }, d(3)]);
  });
});

/** Months raced, and how many revisions of each one process saves. */
const RACED = ['2026-01', '2026-02', '2026-03'];
const SAVES = 4;

/** Another instance: tries revisions 2..SAVES+1 of every raced month and marks them all; prints the saves it won. */
function racer(): string {
  return `
    import { SqliteStateDb } from ${stateModule('db/sqliteStateDb')};
    import { ReportArchive, RevisionConflictError, type ArchivedReport } from ${stateModule('reportArchive')};
    const [file, who, startAt] = process.argv.slice(2);
    async function main(): Promise<void> {
      const db = new SqliteStateDb(file);
      await db.start();
      const archive = new ReportArchive<ArchivedReport>(db);
      await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
      const out: ArchivedReport[] = [];
      for (let revision = 2; revision <= ${SAVES} + 1; revision++)
        for (const month of ${JSON.stringify(RACED)}) {
          const report = { month, revision, sha256: \`\${who}-\${month}-\${revision}\` };
          try {
            await archive.save(report, 'h', Date.now());
            out.push(report);
          } catch (err) {
            if (!(err instanceof RevisionConflictError)) throw err;
          }
          await archive.markFrom('', 'readings', Date.now());
        }
      await db.stop();
      process.stdout.write(JSON.stringify(out));
    }
    void main();
  `;
}
