/**
 * The state database's versioned migrations (issue 17), on SQLite and PostgreSQL: an empty
 * database gets every table and version 1; a restart applies nothing again; a later release's
 * migration is applied once on top with the data kept; an older release refuses a newer database;
 * two instances starting together on one empty database apply each version once. On SQLite, a
 * state.db written by the release before versioning (test/fixtures/state/previous-release.sql,
 * made by that release's own stores) is taken over with every row readable through today's stores.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AlarmStore } from '../../../services/store/state/alarmStore';
import { SqlDeliveryLog } from '../../../services/store/state/deliveryLog';
import { SchemaTooNewError, type Migration } from '../../../services/store/state/db/migrations';
import type { StateDb } from '../../../services/store/state/db/sqlExecutor';
import { STATE_MIGRATIONS, STATE_TABLES } from '../../../services/store/state/db/stateSchema';
import { MeterBaselineStore } from '../../../services/store/state/meterBaselineStore';
import { MeterEventStore } from '../../../services/store/state/meterEventStore';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { ReportArchive, type ArchivedReport } from '../../../services/store/state/reportArchive';
import { StateStore } from '../../../services/store/state/stateStore';
import { describeStateEngines } from '../../helpers/stateDb';

jest.setTimeout(60_000);

/** What a next release might add: a table, and a column on an existing one. */
const NEXT: Migration = {
  version: 2,
  name: 'alarm owner',
  statements: {
    sqlite: ['ALTER TABLE alarm ADD COLUMN owner TEXT', 'CREATE TABLE alarm_owner_log (alarm_id INTEGER NOT NULL, owner TEXT NOT NULL)'],
    postgres: ['ALTER TABLE alarm ADD COLUMN owner TEXT', 'CREATE TABLE alarm_owner_log (alarm_id BIGINT NOT NULL, owner TEXT NOT NULL)'],
  },
};

const versions = async (db: StateDb) => db.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
const count = async (db: StateDb, table: string) => Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);

const quota = {
  type: 'quota' as const,
  enterprise: 'cem01',
  meter: null,
  severity: 'warning' as const,
  value: 0.93,
  threshold: 0.9,
  unit: 'share',
  message: 'm',
};

describeStateEngines('state migrations', (engine) => {
  it('an empty database gets every state table and version 1, recorded once', async () => {
    const db = await engine.fresh();
    expect(db.schemaVersion).toBe(STATE_MIGRATIONS.length);
    expect(await versions(db)).toEqual([{ version: 1, name: 'state tables' }]);
    for (const table of [...STATE_TABLES, 'leases']) expect(await count(db, table)).toBe(0);
    // A restart finds it current and applies nothing.
    const again = await engine.reopen(db);
    expect(again.schemaVersion).toBe(1);
    expect(await versions(again)).toHaveLength(1);
  });

  it("a later release's migration is applied once on top, the data kept; the older release then refuses the database", async () => {
    const db = await engine.fresh();
    const alarm = await new AlarmStore(db).raise(quota, 1_767_225_600_000);
    const next = await engine.reopen(db, [...STATE_MIGRATIONS, NEXT]);
    expect(next.schemaVersion).toBe(2);
    expect((await versions(next)).map((v) => v.version)).toEqual([1, 2]);
    expect(await next.get('SELECT id, owner FROM alarm')).toEqual({ id: alarm.id, owner: null });
    expect(await count(next, 'alarm_owner_log')).toBe(0);
    // Started again with the same list: nothing applied twice.
    expect((await versions(await engine.reopen(db, [...STATE_MIGRATIONS, NEXT]))).map((v) => v.version)).toEqual([1, 2]);
    // The release before it: a clear refusal, not a write with an older schema.
    // (db.location: the SQLite file, or the test server's URL, which carries no password to redact.)
    await expect(engine.at(db.location).start()).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(engine.at(db.location).start()).rejects.toThrow(/schema version 2, this program knows up to 1/);
  });

  it('two instances starting together on one empty database apply version 1 once and both start', async () => {
    const where = await engine.blank();
    const [a, b] = [engine.at(where), engine.at(where)];
    await Promise.all([a.start(), b.start()]);
    expect([a.schemaVersion, b.schemaVersion]).toEqual([1, 1]);
    expect(await versions(a)).toEqual([{ version: 1, name: 'state tables' }]);
    // Both work on the same tables.
    await new AlarmStore(a).raise(quota, 1);
    expect(await new AlarmStore(b).openAlarms()).toHaveLength(1);
  });

  if (engine.name === 'sqlite')
    it("takes over a state.db of the release before versioning: every row readable through today's stores, ids continue", async () => {
      const where = await engine.blank();
      const old = new Database(where);
      old.exec(readFileSync(path.join(__dirname, '../../fixtures/state/previous-release.sql'), 'utf8'));
      old.close();
      const db = engine.at(where);
      await db.start();
      expect(db.schemaVersion).toBe(1);

      const alarms = new AlarmStore(db);
      const all = await alarms.list({ state: 'all' });
      expect(all.map((a) => [a.id, a.type, a.state])).toEqual(
        expect.arrayContaining([
          [1, 'quota', 'acknowledged'],
          [2, 'silence', 'cleared'],
        ]),
      );
      const q = all.find((a) => a.id === 1)!;
      expect(q).toMatchObject({
        value: 0.9312,
        acknowledgedBy: 'officer-li',
        acknowledgedAt: 1_764_518_405_000,
        message: '能耗总量已用 93.1 %',
        basis: 'quota 186000 tce',
      });
      expect((await alarms.notesOf([1])).get(1)?.map((n) => n.text)).toEqual(['已电话通知企业能源管理员', '企业承诺月底前停运一条窑线']);
      // New rows continue after the old ids (AUTOINCREMENT's sqlite_sequence came along).
      expect((await alarms.raise({ ...quota, enterprise: 'alu01' }, 2)).id).toBe(3);

      const state = new StateStore(db);
      expect((await state.listQuarantine({ status: 'all' })).map((r) => r.reason)).toEqual(['bad-shape', 'unknown-enterprise']);
      // The journal position quarantined before is still known: the same message again is a no-op.
      const again = {
        topic: 'energy/cem01/e-main',
        payload: '{}',
        reason: 'bad-shape' as const,
        detail: 'd',
        receivedAt: 9,
        sourceRef: 'journal:0:17',
      };
      expect(await state.quarantine([again])).toEqual([]);
      expect(await state.dataQualityCounts(0, Number.MAX_SAFE_INTEGER)).toEqual([{ enterprise: 'cem01', meter: 'e-main', kind: 'reset', n: 1 }]);

      expect((await new SqlDeliveryLog(db).list()).map((d) => [d.channel, d.status, d.alarmIds])).toEqual([['email', 'sent', [1]]]);
      expect(await new MeterBaselineStore(db).all()).toEqual([
        expect.objectContaining({ enterprise: 'cem01', meter: 'e-main', kind: 'counter', unit: 'kWh', multiplier: 200, rollover: 1_000_000 }),
      ]);
      expect((await new MeterEventStore(db).list('cem01', 'e-main')).map((e) => [e.type, e.recordedBy])).toEqual([['multiplier', 'manager-wang']]);
      const monthly = new MonthlyStatisticsStore(db);
      expect((await monthly.history('cem01', '2025-11')).map((r) => r.version)).toEqual([1, 2]);
      expect((await monthly.current('cem01', '2025-11'))?.outputValue10kYuan).toBe(12350);

      const archive = new ReportArchive<ArchivedReport & { total: number }>(db);
      await archive.init();
      expect((await archive.revisions('2025-11')).map((r) => [r.revision, r.reasons])).toEqual([
        [1, []],
        [2, ['meter-event']],
      ]);
      expect((await archive.get('2025-11'))?.total).toBe(24560.1);
      expect((await archive.marks()).map((m) => `${m.month} ${m.kind}`)).toEqual(['2025-11 readings']);
      expect(await archive.setting('parameter-fingerprint')).toBe('f00d');
      expect((await archive.downloads()).map((d) => d.who)).toEqual(['auditor-zhao']);
    });
});
