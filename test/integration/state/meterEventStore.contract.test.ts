/**
 * MeterEventStore's contract, held on SQLite and on PostgreSQL: events are never overwritten, a
 * retraction keeps the first one, the pending mark follows record/retract/settle, reads order by
 * data time then id, and the in-transaction check cannot be passed by two connections at once.
 */
import type { MeterEvent, MeterEventInput } from '../../../services/energy/meterEvents';
import { MeterEventStore } from '../../../services/store/state/meterEventStore';
import { describeStateEngines, raceInTwoProcesses, stateModule } from '../../helpers/stateDb';

type Located = MeterEventInput & { enterprise: string; meter: string };

/** 2026-01-01T00:00:00+08:00 and later: well past 2^32, as real timestamps are. */
const T0 = 1_767_196_800_000;
const HOUR = 3_600_000;

const decommission = (meter: string, at: number, extra: Partial<Located> = {}): Located =>
  ({ type: 'decommission', at, enterprise: 'alu01', meter, ...extra }) as Located;

/** Refuses a second decommission in force, as MeterEventService's validation does. */
const oneDecommission = (inForce: readonly MeterEvent[]): void => {
  if (inForce.some((e) => e.type === 'decommission')) throw new Error('already decommissioned');
};

describeStateEngines('MeterEventStore', (engine) => {
  it('records every type with ascending ids, keeping only the fields of its input, values round-tripped exactly', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const replace = await store.record(
      {
        type: 'replace',
        at: T0 + HOUR,
        oldFinalRegister: 123_456.789,
        newInitialRegister: 0.125,
        multiplier: 1200,
        rollover: 999_999.99,
        note: '换表 after failure',
        enterprise: 'alu01',
        meter: 'main',
        // Not a field of the input: not stored.
        ...({ stray: 'x' } as object),
      } as Located,
      'officer',
      T0 + 2 * HOUR,
    );
    expect(replace).toEqual({
      type: 'replace',
      at: T0 + HOUR,
      oldFinalRegister: 123_456.789,
      newInitialRegister: 0.125,
      multiplier: 1200,
      rollover: 999_999.99,
      note: '换表 after failure',
      id: 1,
      enterprise: 'alu01',
      meter: 'main',
      recordedBy: 'officer',
      recordedAt: T0 + 2 * HOUR,
    });
    const multiplier = await store.record(
      { type: 'multiplier', at: T0, multiplier: 0.5, enterprise: 'alu01', meter: 'main' },
      'officer',
      T0 + 3 * HOUR,
    );
    const calibration = await store.record(
      { type: 'calibration', at: T0, validUntil: '2027-01-31', certificate: 'CN-2026-001', enterprise: 'cem01', meter: 'kiln' },
      'lab',
      T0 + 4 * HOUR,
    );
    const bare = await store.record(decommission('spare', T0 + 5 * HOUR), 'officer', T0 + 5 * HOUR);
    expect([multiplier.id, calibration.id, bare.id]).toEqual([2, 3, 4]);
    expect(multiplier).toEqual({
      type: 'multiplier',
      at: T0,
      multiplier: 0.5,
      id: 2,
      enterprise: 'alu01',
      meter: 'main',
      recordedBy: 'officer',
      recordedAt: T0 + 3 * HOUR,
    });
    expect(calibration).toEqual({
      type: 'calibration',
      at: T0,
      validUntil: '2027-01-31',
      certificate: 'CN-2026-001',
      id: 3,
      enterprise: 'cem01',
      meter: 'kiln',
      recordedBy: 'lab',
      recordedAt: T0 + 4 * HOUR,
    });
    // Absent optional fields stay absent (no undefined or null keys).
    expect(Object.keys(bare).sort()).toEqual(['at', 'enterprise', 'id', 'meter', 'recordedAt', 'recordedBy', 'type']);
    expect(await store.get(1)).toEqual(replace);
    expect(await store.get(4)).toEqual(bare);
    expect(await store.get(99)).toBeUndefined();
  });

  it('marks a recorded event pending until settle(id, false); a retraction marks it again until settle(id, true)', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const e = await store.record(decommission('main', T0), 'officer', T0 + 10);
    expect(await store.isPending(e.id)).toBe(true);
    expect(await store.isPending(99)).toBe(false);

    // The hours followed the retracted state? Not this row: nothing changes.
    await store.settle(e.id, true, T0 + 15);
    expect(await store.changedSince(0)).toEqual([{ event: e, pending: true, changedAt: T0 + 10 }]);

    await store.settle(e.id, false, T0 + 20);
    expect(await store.isPending(e.id)).toBe(false);
    expect(await store.changedSince(0)).toEqual([{ event: e, pending: false, changedAt: T0 + 20 }]);

    const retracted = await store.retract(e.id, 'admin', T0 + 30);
    expect(retracted).toEqual({ ...e, retractedBy: 'admin', retractedAt: T0 + 30 });
    expect(await store.isPending(e.id)).toBe(true);
    // A settle for the state before the retraction is stale: the retraction stays owed.
    await store.settle(e.id, false, T0 + 35);
    expect(await store.isPending(e.id)).toBe(true);
    await store.settle(e.id, true, T0 + 40);
    expect(await store.changedSince(0)).toEqual([{ event: retracted, pending: false, changedAt: T0 + 40 }]);
    // Settling again does not touch the row.
    await store.settle(e.id, true, T0 + 50);
    expect(await store.changedSince(T0 + 41)).toEqual([]);
  });

  it('keeps the first retraction; retracting an unknown id gives undefined', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const e = await store.record(decommission('main', T0), 'officer', T0);
    const first = await store.retract(e.id, 'admin', T0 + 1);
    await store.settle(e.id, true, T0 + 2);
    expect(await store.retract(e.id, 'someone-else', T0 + 3)).toEqual(first);
    expect(first).toMatchObject({ retractedBy: 'admin', retractedAt: T0 + 1 });
    // The second retraction changed nothing: not pending again, changed_at as settled.
    expect(await store.isPending(e.id)).toBe(false);
    expect(await store.changedSince(0)).toEqual([{ event: first, pending: false, changedAt: T0 + 2 }]);
    expect(await store.retract(99, 'admin', T0 + 4)).toBeUndefined();
  });

  it('lists by data time then id: all of a meter, those in force, all in force, the pending ones', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const at = (meter: string, t: number, enterprise = 'alu01'): Located => ({ type: 'multiplier', at: t, multiplier: 2, enterprise, meter });
    const a = await store.record(at('main', T0 + 3 * HOUR), 'u', T0); // id 1
    const b = await store.record(at('main', T0 + HOUR), 'u', T0); // id 2
    const c = await store.record(at('main', T0 + 3 * HOUR), 'u', T0); // id 3: same data time as 1
    const d = await store.record(at('spare', T0 + 2 * HOUR), 'u', T0); // id 4: another meter
    const e = await store.record(at('main', T0, 'cem01'), 'u', T0); // id 5: same meter name, another enterprise
    const bOut = (await store.retract(b.id, 'admin', T0 + 1))!;
    await store.settle(a.id, false, T0 + 2);
    await store.settle(e.id, false, T0 + 2);

    expect(await store.list('alu01', 'main')).toEqual([bOut, a, c]);
    expect(await store.inForce('alu01', 'main')).toEqual([a, c]);
    expect(await store.list('alu01', 'nothing')).toEqual([]);
    expect(await store.active()).toEqual([e, d, a, c]);
    // Pending: b (retracted, owed), d and c (recorded, owed); by data time then id.
    expect((await store.pending()).map((x) => x.id)).toEqual([b.id, d.id, c.id]);
    expect(await store.pending()).toEqual([bOut, d, c]);
  });

  it('changedSince orders by change time then id; recordedSince takes recording or retraction time', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const e1 = await store.record(decommission('m1', T0 + 9 * HOUR), 'u', T0 + 100);
    const e2 = await store.record(decommission('m2', T0), 'u', T0 + 200);
    const e3 = await store.record(decommission('m3', T0 + HOUR), 'u', T0 + 200);
    await store.settle(e1.id, false, T0 + 300);
    const e2Out = (await store.retract(e2.id, 'admin', T0 + 250))!;

    expect((await store.changedSince(T0 + 200)).map((c) => [c.event.id, c.pending, c.changedAt])).toEqual([
      [e3.id, true, T0 + 200],
      [e2.id, true, T0 + 250],
      [e1.id, false, T0 + 300],
    ]);
    expect(await store.changedSince(T0 + 301)).toEqual([]);

    // Recorded at or after T0 + 200 (e2, e3), or retracted at or after it (e2): by data time.
    expect(await store.recordedSince(T0 + 200)).toEqual([e2Out, e3]);
    expect(await store.recordedSince(T0 + 201)).toEqual([e2Out]);
    expect(await store.recordedSince(T0 + 251)).toEqual([]);
    expect((await store.recordedSince(0)).map((x) => x.id)).toEqual([e2.id, e3.id, e1.id]);
  });

  it('hands the check the meter events in force; a check that throws stores nothing and its error comes back', async () => {
    const store = new MeterEventStore(await engine.fresh());
    const kept = await store.record({ type: 'calibration', at: T0, validUntil: '2026-12-31', enterprise: 'alu01', meter: 'main' }, 'u', T0);
    const gone = await store.record(decommission('main', T0 + HOUR), 'u', T0);
    await store.retract(gone.id, 'admin', T0 + 1);
    await store.record(decommission('other', T0), 'u', T0);

    let seen: readonly MeterEvent[] = [];
    const stored = await store.record(decommission('main', T0 + 2 * HOUR), 'u', T0 + 2, (inForce) => {
      seen = inForce;
    });
    expect(seen).toEqual([kept]);

    const refusal = new Error('already decommissioned');
    await expect(
      store.record(decommission('main', T0 + 3 * HOUR), 'u', T0 + 3, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect((await store.list('alu01', 'main')).map((e) => e.id)).toEqual([kept.id, gone.id, stored.id]);
    expect(await store.changedSince(T0 + 3)).toEqual([]);
    // Ids go on rising after a refusal (a gap is allowed, reuse of a later id is not).
    const next = await store.record(decommission('spare', T0), 'u', T0 + 4);
    expect(next.id).toBeGreaterThan(stored.id);
  });

  it('sees what another connection recorded and retracted (the instances sharing the database)', async () => {
    const db = await engine.fresh();
    const here = new MeterEventStore(db);
    const there = new MeterEventStore(await engine.reopen(db));
    const e = await there.record(decommission('main', T0, { note: 'site closed' }), 'officer', T0 + 5);
    expect(await here.changedSince(T0)).toEqual([{ event: e, pending: true, changedAt: T0 + 5 }]);
    await here.settle(e.id, false, T0 + 6);
    expect(await there.isPending(e.id)).toBe(false);
    const out = await here.retract(e.id, 'admin', T0 + 7);
    expect(await there.get(e.id)).toEqual(out);
  });

  it('a check on one connection sees the decommission another connection committed', async () => {
    const db = await engine.fresh();
    await new MeterEventStore(db).record(decommission('main', T0), 'instance-a', T0 + 1, oneDecommission);
    const there = new MeterEventStore(await engine.reopen(db));
    await expect(there.record(decommission('main', T0 + HOUR), 'instance-b', T0 + 2, oneDecommission)).rejects.toThrow('already decommissioned');
    expect(await there.inForce('alu01', 'main')).toHaveLength(1);
  });

  // Two hosts on PostgreSQL race in this process; on SQLite two processes race below, as
  // scaled-out instances on one host would.
  if (engine.name === 'postgres')
    it('lets exactly one of two connections pass the check when both record a decommission of one meter at once', async () => {
      const db = await engine.fresh();
      const first = new MeterEventStore(db);
      const second = new MeterEventStore(await engine.reopen(db));
      const outcomes = await Promise.all(
        RACED.map((meter) =>
          Promise.allSettled([
            first.record(decommission(meter, T0), 'instance-a', T0 + 1, oneDecommission),
            second.record(decommission(meter, T0 + HOUR), 'instance-b', T0 + 1, oneDecommission),
          ]),
        ),
      );
      for (const pair of outcomes) {
        expect(pair.map((o) => (o.status === 'fulfilled' ? 'stored' : String(o.reason))).sort()).toEqual(['Error: already decommissioned', 'stored']);
      }
      await expectOnePerMeter(first);
    });

  if (engine.name === 'sqlite')
    it('lets exactly one of two processes pass the check when both record a decommission of one meter at once', async () => {
      const db = await engine.fresh();
      // Both start their records at the same instant, once their databases are open.
      const [a, b] = await raceInTwoProcesses(db.location, racer(), ['instance-a', 'instance-b']);
      const results = [JSON.parse(a) as string[], JSON.parse(b) as string[]];
      for (const [i] of RACED.entries()) expect([results[0]![i], results[1]![i]].sort()).toEqual(['already decommissioned', 'stored']);
      await expectOnePerMeter(new MeterEventStore(db));
    });
});

/** Several meters, each raced once, so that an unserialised check would very likely let both in somewhere. */
const RACED = Array.from({ length: 10 }, (_, i) => `m${i + 1}`);

async function expectOnePerMeter(store: MeterEventStore): Promise<void> {
  for (const meter of RACED) expect(await store.inForce('alu01', meter)).toHaveLength(1);
  expect((await store.active()).filter((e) => e.enterprise === 'alu01')).toHaveLength(RACED.length);
}

/** Another instance: records a decommission of every raced meter through its own connection, prints what happened to each. */
function racer(): string {
  return `
    import { SqliteStateDb } from ${stateModule('db/sqliteStateDb')};
    import { MeterEventStore } from ${stateModule('meterEventStore')};
    const [file, who, startAt] = process.argv.slice(2);
    async function main(): Promise<void> {
      const db = new SqliteStateDb(file);
      await db.start();
      const store = new MeterEventStore(db);
      // Warm up (statements prepared, file pages cached), so that both processes then go at one pace.
      await store.record({ type: 'decommission', at: ${T0}, enterprise: 'warm-up', meter: who }, who, Date.now());
      await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now() - 20));
      const out: string[] = [];
      for (const [i, meter] of ${JSON.stringify(RACED)}.entries()) {
        // Each meter at its own instant, spun for the last milliseconds: both processes go within one.
        while (Date.now() < Number(startAt) + i * 50);
        try {
          await store.record({ type: 'decommission', at: ${T0}, enterprise: 'alu01', meter }, who, Date.now(), (inForce) => {
            if (inForce.some((e) => e.type === 'decommission')) throw new Error('already decommissioned');
          });
          out.push('stored');
        } catch (err) {
          out.push(err instanceof Error ? err.message : String(err));
        }
      }
      await db.stop();
      process.stdout.write(JSON.stringify(out));
    }
    void main();
  `;
}
