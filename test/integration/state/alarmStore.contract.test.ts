/**
 * AlarmStore's contract, held on SQLite and on PostgreSQL alike: one open alarm per key, the
 * acknowledgement and its notes, the history's filters and paging, transactions, and values that
 * round-trip identically on both engines.
 */
import type { Alarm } from '../../../services/energy/alarm';
import { AlarmStore, type NewAlarm } from '../../../services/store/state/alarmStore';
import { StateDbError, type SqlExecutor, type SqlValue, type StateDb } from '../../../services/store/state/db/sqlExecutor';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { describeStateEngines } from '../../helpers/stateDb';

const quota = (severity: 'warning' | 'critical', value: number, enterprise = 'alu01'): NewAlarm => ({
  type: 'quota',
  enterprise,
  meter: null,
  severity,
  value,
  threshold: 0.9,
  unit: 'share',
  message: `share ${value}`,
});

const silence = (meter: string, enterprise = 'alu01'): NewAlarm => ({
  type: 'silence',
  enterprise,
  meter,
  severity: 'warning',
  value: null,
  threshold: null,
  unit: null,
  message: `${meter} silent`,
});

const ids = (alarms: readonly Alarm[]): number[] => alarms.map((a) => a.id);

/** Records the SQL texts a store sends, to look at their plans. */
function recording(db: SqlExecutor, seen: string[]): SqlExecutor {
  return {
    dialect: db.dialect,
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (seen.push(sql), db.all<T>(sql, params)),
    get: async <T>(sql: string, params?: readonly SqlValue[]) => (seen.push(sql), db.get<T>(sql, params)),
    run: async (sql: string, params?: readonly SqlValue[]) => (seen.push(sql), db.run(sql, params)),
    transaction: async (work, options) => db.transaction(async (tx) => work(recording(tx, seen)), options),
  };
}

describeStateEngines('AlarmStore', (engine) => {
  let db: StateDb;
  let store: AlarmStore;
  beforeEach(async () => {
    db = await engine.fresh();
    store = new AlarmStore(db);
  });

  it('keeps one open alarm per (type, enterprise, meter); ids ascend', async () => {
    const a = await store.raise(quota('warning', 0.92), 1000);
    await expect(store.raise(quota('warning', 0.93), 2000)).rejects.toThrow(StateDbError);
    await expect(store.raise(quota('warning', 0.93), 2000)).rejects.toThrow(/unique/i);
    expect((await store.open('quota', 'alu01', null))?.id).toBe(a.id);
    // A meter alarm of the same type, or the same type elsewhere, is another key.
    const m = await store.raise({ ...quota('warning', 1), type: 'silence', meter: 'e-main' }, 1000);
    const other = await store.raise(quota('warning', 0.95, 'alu02'), 1000);
    expect(m.id).toBeGreaterThan(a.id);
    expect(other.id).toBeGreaterThan(m.id);
    expect((await store.open('silence', 'alu01', 'e-main'))?.id).toBe(m.id);
    expect(await store.open('silence', 'alu01', null)).toBeUndefined();
    expect(await store.open('silence', 'alu01', 'e-other')).toBeUndefined();
    expect((await store.open('quota', 'alu02', null))?.id).toBe(other.id);
    // An acknowledged alarm is still open.
    await store.acknowledge(a.id, 'officer', 1500);
    expect((await store.open('quota', 'alu01', null))?.state).toBe('acknowledged');
    await store.clear(a.id, 3000);
    expect(await store.open('quota', 'alu01', null)).toBeUndefined();
    const again = await store.raise(quota('critical', 1.01), 4000);
    expect(again.id).toBeGreaterThan(other.id);
    expect((await store.open('quota', 'alu01', null))?.id).toBe(again.id);
  });

  it('finds an open alarm with one lookup of the whole key in alarm_one_open', async () => {
    const seen: string[] = [];
    const spied = new AlarmStore(recording(db, seen));
    for (let i = 0; i < 20; i++) await store.raise(silence(`m${i}`), 1000);
    expect((await spied.open('silence', 'alu01', 'm7'))?.meter).toBe('m7');
    expect(seen).toHaveLength(1);
    const params = ['silence', 'alu01', 'm7'];
    if (engine.name === 'sqlite') {
      const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${seen[0]}`, params);
      expect(plan.map((r) => r.detail)).toEqual(['SEARCH alarm USING INDEX alarm_one_open (type=? AND enterprise=? AND <expr>=?)']);
    } else {
      const plan = await db.transaction(async (tx) => {
        await tx.run('SET LOCAL enable_seqscan = off');
        return tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${seen[0]}`, params);
      });
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index Scan using alarm_one_open/);
      expect(text).toMatch(/Index Cond: .*COALESCE\(meter/);
    }
  });

  it('records who acknowledged and when; an escalation makes the alarm active again', async () => {
    const a = await store.raise(quota('warning', 0.92), 1000);
    expect(await store.acknowledge(a.id, 'officer', 1500)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer', acknowledgedAt: 1500 });
    expect(await store.acknowledge(a.id, 'officer', 1600)).toBeUndefined(); // already acknowledged
    // New figures without escalation keep the acknowledgement.
    const same = await store.update(a.id, quota('warning', 0.95), 1800, false);
    expect(same).toMatchObject({ state: 'acknowledged', value: 0.95, acknowledgedBy: 'officer', acknowledgedAt: 1500, updatedAt: 1800 });
    const up = await store.update(a.id, quota('critical', 1.01), 2000, true);
    expect(up).toMatchObject({
      state: 'active',
      severity: 'critical',
      value: 1.01,
      acknowledgedBy: null,
      acknowledgedAt: null,
      raisedAt: 1000,
      updatedAt: 2000,
    });
    const cleared = await store.clear(a.id, 3000);
    expect(cleared).toMatchObject({ state: 'cleared', clearedAt: 3000, updatedAt: 3000, severity: 'critical' });
    expect(await store.acknowledge(a.id, 'officer', 3100)).toBeUndefined(); // a cleared alarm cannot be
    expect(ids(await store.list({ state: 'all' }))).toEqual([a.id]);
    expect(await store.list()).toEqual([]);
    expect(await store.get(a.id)).toEqual(cleared);
    expect(await store.get(a.id + 100)).toBeUndefined();
  });

  it('keeps the acknowledgement comment and later notes, oldest first per alarm', async () => {
    const a = await store.raise(quota('warning', 0.92), 1000);
    const b = await store.raise(silence('e-main'), 1000);
    const c = await store.raise(silence('e-aux'), 1000);
    await store.acknowledge(a.id, 'officer', 1500, '已通知车间主任');
    // A failed acknowledgement leaves no comment behind.
    expect(await store.acknowledge(a.id, 'other', 1600, 'too late')).toBeUndefined();
    await store.acknowledge(b.id, 'officer', 1500); // no comment, no note
    const n1 = await store.addNote(b.id, 'engineer', 2000, 'meter replaced');
    const n2 = await store.addNote(a.id, 'engineer', 2100, 'follow-up');
    await store.clear(c.id, 2200);
    const n3 = await store.addNote(c.id, 'engineer', 2300, 'after clearing'); // any state
    expect(n2.id).toBeGreaterThan(n1.id);
    expect(n3).toEqual({ id: n3.id, alarmId: c.id, kind: 'note', by: 'engineer', at: 2300, text: 'after clearing' });
    const notes = await store.notesOf([c.id, a.id, b.id, 9999]);
    expect([...notes.keys()].sort((x, y) => x - y)).toEqual([a.id, b.id, c.id]);
    expect(notes.get(a.id)).toEqual([
      { id: expect.any(Number), alarmId: a.id, kind: 'ack', by: 'officer', at: 1500, text: '已通知车间主任' },
      { id: n2.id, alarmId: a.id, kind: 'note', by: 'engineer', at: 2100, text: 'follow-up' },
    ]);
    expect(notes.get(b.id)).toEqual([n1]);
    expect(notes.get(c.id)).toEqual([n3]);
    expect((await store.notesOf([])).size).toBe(0);
  });

  it('looks up the notes of more alarms than one statement takes', async () => {
    const many: number[] = [];
    await store.transaction(async (alarms) => {
      for (let i = 0; i < 1203; i++) many.push((await alarms.raise(silence(`m${i}`), 1000)).id);
      await alarms.addNote(many[0]!, 'e', 1, 'first');
      await alarms.addNote(many[600]!, 'e', 2, 'middle');
      await alarms.addNote(many[1202]!, 'e', 3, 'last');
    });
    const notes = await store.notesOf(many);
    expect([...notes.entries()].map(([id, list]) => [id, list.map((n) => n.text)])).toEqual([
      [many[0], ['first']],
      [many[600], ['middle']],
      [many[1202], ['last']],
    ]);
  });

  it('round-trips values identically: fractions, large times, nulls and absent optional fields', async () => {
    const t = 1_767_225_600_000;
    const full: NewAlarm = {
      type: 'intensity',
      enterprise: 'steel-03',
      meter: 'product:rebar',
      severity: 'critical',
      value: 0.1 + 0.2,
      threshold: 1234567.891,
      unit: 'kgce/t',
      periodFrom: '2026-01-01T00:00:00+08:00',
      periodTo: '2026-02-01T00:00:00+08:00',
      basis: 'electricity 0.1229 kgce/kWh (当量值, GB/T 2589-2020)',
      message: '单位产品能耗 0.30000000000000004 kgce/t',
    };
    const a = await store.raise(full, t);
    const expected: Alarm = {
      id: a.id,
      ...full,
      state: 'active',
      raisedAt: t,
      updatedAt: t,
      clearedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
    };
    expect(a).toEqual(expected);
    expect(a.value).toBe(0.30000000000000004);
    expect(await store.get(a.id)).toEqual(expected);
    const bare = await store.raise(silence('e-main'), t + 1);
    // Absent optional fields stay absent (not null), nulls stay null.
    expect(Object.keys(bare)).not.toContain('periodFrom');
    expect(Object.keys(bare)).not.toContain('basis');
    expect(await store.get(bare.id)).toEqual({ ...bare, value: null, threshold: null, unit: null });
    const acked = await store.acknowledge(a.id, 'officer', t + 2);
    expect(acked).toEqual({ ...expected, state: 'acknowledged', acknowledgedAt: t + 2, acknowledgedBy: 'officer', updatedAt: t + 2 });
    // Updating with absent optional fields removes them.
    const up = await store.update(
      a.id,
      { ...silence('x'), type: 'intensity', meter: 'product:rebar', enterprise: 'steel-03', value: -0.5 },
      t + 3,
      false,
    );
    expect(up).toEqual({
      ...expected,
      severity: 'warning',
      value: -0.5,
      threshold: null,
      unit: null,
      message: 'x silent',
      periodFrom: undefined,
      periodTo: undefined,
      basis: undefined,
      state: 'acknowledged',
      acknowledgedAt: t + 2,
      acknowledgedBy: 'officer',
      updatedAt: t + 3,
    });
    expect(Object.keys(up)).not.toContain('basis');
  });

  it('lists open alarms by id and counts them by severity', async () => {
    const a = await store.raise(quota('warning', 0.92), 3000);
    const b = await store.raise(silence('m1'), 1000);
    const c = await store.raise({ ...silence('m2'), severity: 'critical' }, 2000);
    const d = await store.raise({ ...silence('m3'), severity: 'info' }, 2000);
    await store.acknowledge(b.id, 'officer', 4000);
    await store.clear(d.id, 4000);
    expect(ids(await store.openAlarms())).toEqual([a.id, b.id, c.id]);
    expect(await store.openCountsBySeverity()).toEqual({ info: 0, warning: 2, critical: 1 });
    expect(await new AlarmStore(await engine.fresh()).openCountsBySeverity()).toEqual({ info: 0, warning: 0, critical: 0 });
  });

  it('queries the history newest raised first, with filters, paging and the total', async () => {
    // raisedAt, with a tie at 2000 broken by id (newest id first).
    const a = await store.raise(quota('warning', 0.92, 'alu01'), 1000);
    const b = await store.raise(silence('m1', 'alu01'), 2000);
    const c = await store.raise({ ...silence('m2', 'alu02'), severity: 'critical' }, 2000);
    const d = await store.raise({ ...quota('critical', 1.2, 'alu02') }, 3000);
    const e = await store.raise({ ...silence('m3', 'alu01'), type: 'data-quality', severity: 'info' }, 4000);
    await store.acknowledge(b.id, 'officer', 5000);
    await store.clear(a.id, 5000);

    const q = async (query: Parameters<AlarmStore['query']>[0]) => {
      const r = await store.query(query);
      return { ids: ids(r.alarms), total: r.total };
    };
    expect(await q({ state: 'all', limit: 100 })).toEqual({ ids: [e.id, d.id, c.id, b.id, a.id], total: 5 });
    expect(await q({ limit: 100 })).toEqual({ ids: [e.id, d.id, c.id], total: 3 }); // default: active
    expect(await q({ state: 'open', limit: 100 })).toEqual({ ids: [e.id, d.id, c.id, b.id], total: 4 });
    expect(await q({ state: 'acknowledged', limit: 100 })).toEqual({ ids: [b.id], total: 1 });
    expect(await q({ state: 'cleared', limit: 100 })).toEqual({ ids: [a.id], total: 1 });
    expect(await q({ state: 'all', enterprise: 'alu02', limit: 100 })).toEqual({ ids: [d.id, c.id], total: 2 });
    expect(await q({ state: 'all', types: ['quota', 'data-quality'], limit: 100 })).toEqual({ ids: [e.id, d.id, a.id], total: 3 });
    expect(await q({ state: 'all', types: [], severities: ['critical'], limit: 100 })).toEqual({ ids: [d.id, c.id], total: 2 });
    expect(await q({ state: 'all', severities: ['info', 'warning'], enterprise: 'alu01', limit: 100 })).toEqual({
      ids: [e.id, b.id, a.id],
      total: 3,
    });
    // [fromMs, toMs): 2000 is in, 4000 is out.
    expect(await q({ state: 'all', fromMs: 2000, toMs: 4000, limit: 100 })).toEqual({ ids: [d.id, c.id, b.id], total: 3 });
    expect(await q({ state: 'all', fromMs: 3001, limit: 100 })).toEqual({ ids: [e.id], total: 1 });
    expect(await q({ state: 'all', toMs: 1000, limit: 100 })).toEqual({ ids: [], total: 0 });
    // Pages: the total counts every match, not the page.
    expect(await q({ state: 'all', limit: 2 })).toEqual({ ids: [e.id, d.id], total: 5 });
    expect(await q({ state: 'all', limit: 2, offset: 2 })).toEqual({ ids: [c.id, b.id], total: 5 });
    expect(await q({ state: 'all', limit: 2, offset: 4 })).toEqual({ ids: [a.id], total: 5 });
    expect(await q({ state: 'all', limit: 2, offset: 6 })).toEqual({ ids: [], total: 5 });

    // list(): active by default, one type, at most `limit` (1000 by default).
    expect(ids(await store.list())).toEqual([e.id, d.id, c.id]);
    expect(ids(await store.list({ state: 'all', type: 'silence' }))).toEqual([c.id, b.id]);
    expect(ids(await store.list({ state: 'open', enterprise: 'alu01' }))).toEqual([e.id, b.id]);
    expect(ids(await store.list({ state: 'all', limit: 1 }))).toEqual([e.id]);
  });

  it('counts alarms raised in [from, to) per enterprise and severity, in that order', async () => {
    const before = await store.raise(quota('warning', 0.92, 'b-ent'), 999);
    await store.clear(before.id, 999);
    await store.raise(quota('critical', 1.1, 'b-ent'), 1000);
    await store.raise(silence('m1', 'b-ent'), 1500);
    await store.raise(silence('m2', 'b-ent'), 1999);
    await store.raise({ ...silence('m1', 'a-ent'), severity: 'info' }, 1000);
    const cleared = await store.raise(silence('m3', 'a-ent'), 1200);
    await store.clear(cleared.id, 1300); // cleared alarms still count
    await store.raise(silence('m4', 'a-ent'), 2000); // after
    expect(await store.raisedCounts(1000, 2000)).toEqual([
      { enterprise: 'a-ent', severity: 'info', n: 1 },
      { enterprise: 'a-ent', severity: 'warning', n: 1 },
      { enterprise: 'b-ent', severity: 'critical', n: 1 },
      { enterprise: 'b-ent', severity: 'warning', n: 2 },
    ]);
    expect(await store.raisedCounts(5000, 6000)).toEqual([]);
  });

  it('runs a transaction on a store bound to it: all or none of its writes land', async () => {
    const kept = await store.raise(quota('warning', 0.92), 1000);
    await expect(
      store.transaction(async (alarms) => {
        await alarms.raise(silence('m1'), 2000);
        await alarms.update(kept.id, quota('critical', 1.5), 2000, true);
        await alarms.addNote(kept.id, 'rules', 2000, 'escalated');
        // The transaction sees its own writes.
        expect((await alarms.open('silence', 'alu01', 'm1'))?.state).toBe('active');
        throw new Error('rule cycle failed');
      }),
    ).rejects.toThrow('rule cycle failed');
    expect(await store.open('silence', 'alu01', 'm1')).toBeUndefined();
    expect(await store.get(kept.id)).toEqual(kept);
    expect((await store.notesOf([kept.id])).size).toBe(0);

    // A raise that conflicts takes the whole transaction with it.
    await expect(
      store.transaction(async (alarms) => {
        await alarms.clear(kept.id, 3000);
        await alarms.raise(silence('m2'), 3000);
        await alarms.raise(silence('m2'), 3000);
      }),
    ).rejects.toThrow(StateDbError);
    expect((await store.get(kept.id))?.state).toBe('active');
    expect(await store.open('silence', 'alu01', 'm2')).toBeUndefined();

    const result = await store.transaction(async (alarms) => {
      const m = await alarms.raise(silence('m3'), 4000);
      // A nested transaction joins the outer one.
      await alarms.transaction(async (inner) => inner.clear(kept.id, 4000));
      return m.id;
    });
    expect((await store.get(result))?.meter).toBe('m3');
    expect((await store.get(kept.id))?.state).toBe('cleared');
  });

  it('serialises rule cycles of two instances on one database: a key is raised once', async () => {
    const other = new AlarmStore(await engine.reopen(db));
    const cycle = (alarms: AlarmStore) =>
      alarms.transaction(async (tx) => {
        if (await tx.open('quota', 'alu01', null)) return 'found open';
        await new Promise((resolve) => setTimeout(resolve, 50)); // the other cycle reads meanwhile
        await tx.raise(quota('warning', 0.92), 1000);
        return 'raised';
      });
    const outcomes = await Promise.allSettled([cycle(store), cycle(other)]);
    expect(await store.list({ state: 'all' })).toHaveLength(1);
    // The second waits (PostgreSQL: the 'alarm' lock; SQLite: the file's write lock, retried
    // without blocking the event loop), then finds the first one's alarm.
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed')).sort()).toEqual(['found open', 'raised']);
  });

  it('survives a restart, and shares the state database with the monthly statistics', async () => {
    const a = await store.raise(quota('warning', 0.92), 1000);
    await new MonthlyStatisticsStore(db).put('alu01', '2026-01', { outputValue10kYuan: 12345.5 }, 'officer', 1000);
    const again = await engine.reopen(db);
    await db.stop();
    expect((await new AlarmStore(again).open('quota', 'alu01', null))?.id).toBe(a.id);
    expect(await new MonthlyStatisticsStore(again).outputs(['alu01'], '2026-01', '2026-12')).toEqual([
      { enterprise: 'alu01', month: '2026-01', value10kYuan: 12345.5 },
    ]);
  });
});
