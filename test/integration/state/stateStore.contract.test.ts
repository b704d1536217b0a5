/**
 * The quarantine and the data-quality events held to the same behaviour on SQLite and PostgreSQL:
 * every expected value below is worked out by hand from the rows the test writes.
 */
import type { DataQualityEvent } from '../../../services/energy/dataQuality';
import { StateStore, type QuarantineInput } from '../../../services/store/state/stateStore';
import { describeStateEngines } from '../../helpers/stateDb';

/** 2026-01-01T00:00:00Z: millisecond times this large must come back exactly (BIGINT on PostgreSQL). */
const T0 = 1_767_225_600_000;

const item = (n: number, over: Partial<QuarantineInput> = {}): QuarantineInput => ({
  topic: `energy/alu01/m${n}`,
  payload: `{"n":${n}}`,
  reason: 'bad-shape',
  detail: `detail ${n}`,
  receivedAt: T0 + n,
  enterprise: 'alu01',
  ...over,
});

describeStateEngines('StateStore', (engine) => {
  describe('quarantine', () => {
    it('gives ids 1, 2, 3 in insertion order and returns every record whole, optional fields absent when not given', async () => {
      const store = new StateStore(await engine.fresh());
      const full = item(1, { meter: 'e-main', clientId: 'gw-7', sourceRef: '0:10', reason: 'future-ts', payload: '{"ts":"ü €"}' });
      const bare: QuarantineInput = { topic: 't', payload: '', reason: 'bad-json', detail: '', receivedAt: T0 };
      expect(await store.quarantine([full, bare, item(3)])).toEqual([full, bare, item(3)]);

      const all = await store.listQuarantine();
      expect(all.map((r) => r.id)).toEqual([1, 2, 3]);
      // sourceRef is where the message came from, not part of the record read back.
      expect(all[0]).toEqual({
        id: 1,
        topic: 'energy/alu01/m1',
        payload: '{"ts":"ü €"}',
        reason: 'future-ts',
        detail: 'detail 1',
        receivedAt: 1_767_225_600_001,
        enterprise: 'alu01',
        meter: 'e-main',
        clientId: 'gw-7',
        status: 'open',
        attempts: 0,
      });
      expect(all[1]).toStrictEqual({ id: 2, topic: 't', payload: '', reason: 'bad-json', detail: '', receivedAt: T0, status: 'open', attempts: 0 });
      expect(await store.quarantineRecord(3)).toEqual(all[2]);
      expect(await store.quarantineRecord(4)).toBeUndefined();
    });

    it('re-quarantining the same sourceRef is a no-op, also within one batch; items without a sourceRef always land', async () => {
      const store = new StateStore(await engine.fresh());
      expect(await store.quarantine([item(1, { sourceRef: '0:1' }), item(2)])).toHaveLength(2);
      // Read again from the journal after a crash: 0:1 is already there, 0:2 is new, the one without a ref lands again.
      const again = [item(1, { sourceRef: '0:1', detail: 'changed' }), item(2), item(3, { sourceRef: '0:2' }), item(4, { sourceRef: '0:2' })];
      expect(await store.quarantine(again)).toEqual([item(2), item(3, { sourceRef: '0:2' })]);
      const rows = await store.listQuarantine();
      // A conflicting insert uses up an id on both engines (SQLite AUTOINCREMENT, a PostgreSQL
      // identity): ids ascend, with gaps where refs were seen before (3 and 6 here).
      expect(rows.map((r) => [r.id, r.detail])).toEqual([
        [1, 'detail 1'],
        [2, 'detail 2'],
        [4, 'detail 2'],
        [5, 'detail 3'],
      ]);
      expect(await store.quarantine([item(1, { sourceRef: '0:1' })])).toEqual([]);
      expect(await store.countQuarantineMatching({ status: 'all' })).toBe(4);
    });

    it('an empty batch adds nothing', async () => {
      const store = new StateStore(await engine.fresh());
      expect(await store.quarantine([])).toEqual([]);
      expect(await store.countQuarantineMatching({ status: 'all' })).toBe(0);
    });

    it('the sourceRefPrefix keeps equal journal positions of different journals apart', async () => {
      const db = await engine.fresh();
      const shardA = new StateStore(db, { sourceRefPrefix: 'journal-a:' });
      const shardB = new StateStore(db, { sourceRefPrefix: 'journal-b:' });
      const plain = new StateStore(db);
      expect(await shardA.quarantine([item(1, { sourceRef: '3:7' })])).toHaveLength(1);
      expect(await shardB.quarantine([item(2, { sourceRef: '3:7' })])).toHaveLength(1);
      expect(await plain.quarantine([item(3, { sourceRef: '3:7' })])).toHaveLength(1);
      expect(await new StateStore(db, { sourceRefPrefix: 'journal-a:' }).quarantine([item(4, { sourceRef: '3:7' })])).toEqual([]);
      // 'journal-a:' + '3:7' and '' + 'journal-a:3:7' are the same stored ref.
      expect(await plain.quarantine([item(5, { sourceRef: 'journal-a:3:7' })])).toEqual([]);
      expect(await plain.countQuarantineMatching()).toBe(3);
    });

    it('a batch with one bad item leaves nothing behind', async () => {
      const store = new StateStore(await engine.fresh());
      // A NULL topic breaks NOT NULL: the whole batch must roll back, the first item included.
      const broken = { ...item(2), topic: null } as unknown as QuarantineInput;
      await expect(store.quarantine([item(1, { sourceRef: '0:1' }), broken])).rejects.toThrow();
      expect(await store.countQuarantineMatching({ status: 'all' })).toBe(0);
      // The rolled-back ref is free again.
      expect(await store.quarantine([item(1, { sourceRef: '0:1' })])).toHaveLength(1);
    });

    it('the same sourceRef written through a second connection is a no-op there too', async () => {
      const db = await engine.fresh();
      const other = await engine.reopen(db);
      expect(await new StateStore(db).quarantine([item(1, { sourceRef: '0:1' })])).toHaveLength(1);
      expect(await new StateStore(other).quarantine([item(1, { sourceRef: '0:1' }), item(2, { sourceRef: '0:2' })])).toEqual([
        item(2, { sourceRef: '0:2' }),
      ]);
      expect((await new StateStore(db).listQuarantine()).map((r) => [r.id, r.detail])).toEqual([
        [1, 'detail 1'],
        [3, 'detail 2'],
      ]);
    });

    if (engine.name === 'postgres')
      // Two hosts replaying the same journal at once: the unique index lets exactly one of them add it.
      it('two connections quarantining the same sourceRef at once: exactly one adds it', async () => {
        const db = await engine.fresh();
        const other = await engine.reopen(db);
        const batch = [item(1, { sourceRef: '0:1' }), item(2, { sourceRef: '0:2' })];
        const [a, b] = await Promise.all([new StateStore(db).quarantine(batch), new StateStore(other).quarantine(batch)]);
        expect(a.length + b.length).toBe(2);
        expect([...a, ...b].map((q) => q.sourceRef).sort()).toEqual(['0:1', '0:2']);
        expect(await new StateStore(db).countQuarantineMatching()).toBe(2);
      });
  });

  describe('listQuarantine and counts', () => {
    /**
     * ids 1..6: 1 bad-shape alu01, 2 unknown-meter alu01, 3 bad-shape cem02, 4 bad-json (no enterprise),
     * 5 bad-shape alu01, 6 unknown-meter cem02; then 2 and 6 replayed.
     */
    async function seeded(): Promise<StateStore> {
      const store = new StateStore(await engine.fresh());
      await store.quarantine([
        item(1),
        item(2, { reason: 'unknown-meter' }),
        item(3, { enterprise: 'cem02' }),
        { topic: 'junk', payload: 'x', reason: 'bad-json', detail: 'not JSON', receivedAt: T0 + 4 },
        item(5),
        item(6, { reason: 'unknown-meter', enterprise: 'cem02' }),
      ]);
      await store.settleReplay(2, { accepted: true, at: T0 + 100 });
      await store.settleReplay(6, { accepted: true, at: T0 + 100 });
      return store;
    }
    const ids = (rows: readonly { id: number }[]) => rows.map((r) => r.id);

    it('filters by status (open by default), reason, enterprise, ids and afterId, combined', async () => {
      const store = await seeded();
      expect(ids(await store.listQuarantine())).toEqual([1, 3, 4, 5]);
      expect(ids(await store.listQuarantine({ status: 'replayed' }))).toEqual([2, 6]);
      expect(ids(await store.listQuarantine({ status: 'all' }))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(ids(await store.listQuarantine({ reason: 'bad-shape' }))).toEqual([1, 3, 5]);
      expect(ids(await store.listQuarantine({ status: 'all', reason: 'unknown-meter' }))).toEqual([2, 6]);
      expect(ids(await store.listQuarantine({ enterprise: 'alu01' }))).toEqual([1, 5]);
      expect(ids(await store.listQuarantine({ status: 'all', enterprise: 'cem02', reason: 'unknown-meter' }))).toEqual([6]);
      expect(ids(await store.listQuarantine({ ids: [5, 2, 1] }))).toEqual([1, 5]);
      expect(ids(await store.listQuarantine({ status: 'all', ids: [5, 2, 1, 99] }))).toEqual([1, 2, 5]);
      expect(await store.listQuarantine({ ids: [] })).toEqual([]);
      expect(ids(await store.listQuarantine({ afterId: 3 }))).toEqual([4, 5]);
      expect(ids(await store.listQuarantine({ status: 'all', afterId: 6 }))).toEqual([]);
    });

    it('pages with limit and offset, oldest or newest first', async () => {
      const store = await seeded();
      expect(ids(await store.listQuarantine({ status: 'all', limit: 2 }))).toEqual([1, 2]);
      expect(ids(await store.listQuarantine({ status: 'all', limit: 2, offset: 2 }))).toEqual([3, 4]);
      expect(ids(await store.listQuarantine({ status: 'all', limit: 2, offset: 6 }))).toEqual([]);
      expect(ids(await store.listQuarantine({ status: 'all', order: 'newest' }))).toEqual([6, 5, 4, 3, 2, 1]);
      expect(ids(await store.listQuarantine({ status: 'all', order: 'newest', limit: 2, offset: 1 }))).toEqual([5, 4]);
      expect(ids(await store.listQuarantine({ offset: 3 }))).toEqual([5]);
      // Reading through page by page with afterId, two at a time: 1 3 | 4 5 | (end).
      expect(ids(await store.listQuarantine({ afterId: 0, limit: 2 }))).toEqual([1, 3]);
      expect(ids(await store.listQuarantine({ afterId: 3, limit: 2 }))).toEqual([4, 5]);
      expect(ids(await store.listQuarantine({ afterId: 5, limit: 2 }))).toEqual([]);
    });

    it('counts what a filter matches, its limit and offset aside', async () => {
      const store = await seeded();
      expect(await store.countQuarantineMatching()).toBe(4);
      expect(await store.countQuarantineMatching({ status: 'all', limit: 1, offset: 3 })).toBe(6);
      expect(await store.countQuarantineMatching({ status: 'replayed' })).toBe(2);
      expect(await store.countQuarantineMatching({ reason: 'bad-shape', enterprise: 'alu01' })).toBe(2);
      expect(await store.countQuarantineMatching({ ids: [] })).toBe(0);
      expect(await store.countQuarantineMatching({ ids: [2, 3, 4] })).toBe(2);
      expect(await store.countQuarantineMatching({ afterId: 4 })).toBe(1);
    });

    it('counts open records per reason', async () => {
      const store = await seeded();
      // Open: 1, 3, 5 bad-shape and 4 bad-json; 2 and 6 (unknown-meter) are replayed.
      expect(await store.countQuarantine()).toEqual({ 'bad-shape': 3, 'bad-json': 1 });
      expect(await new StateStore(await engine.fresh()).countQuarantine()).toEqual({});
    });

    it('counts quarantined messages per enterprise by received time, both ends included, open or not', async () => {
      const store = await seeded();
      const sorted = async (since: number, until: number) =>
        (await store.quarantineCounts(since, until)).sort((a, b) => (a.enterprise < b.enterprise ? -1 : 1));
      // Received at T0+1..T0+6; 4 has no enterprise and is never counted.
      expect(await sorted(T0, T0 + 10)).toEqual([
        { enterprise: 'alu01', n: 3 },
        { enterprise: 'cem02', n: 2 },
      ]);
      expect(await sorted(T0 + 3, T0 + 5)).toEqual([
        { enterprise: 'alu01', n: 1 },
        { enterprise: 'cem02', n: 1 },
      ]);
      expect(await sorted(T0 + 6, T0 + 6)).toEqual([{ enterprise: 'cem02', n: 1 }]);
      expect(await sorted(T0 + 7, T0 + 100)).toEqual([]);
    });
  });

  describe('settleReplay', () => {
    it('accepted: replayed, one attempt more, with the time; it leaves the open list', async () => {
      const store = new StateStore(await engine.fresh());
      await store.quarantine([item(1, { meter: 'e-main' }), item(2)]);
      await store.settleReplay(1, { accepted: true, at: T0 + 123_456 });
      expect(await store.quarantineRecord(1)).toEqual({
        ...item(1, { meter: 'e-main' }),
        id: 1,
        status: 'replayed',
        attempts: 1,
        replayedAt: 1_767_225_723_456,
      });
      expect((await store.listQuarantine()).map((r) => r.id)).toEqual([2]);
      expect((await store.quarantineRecord(2))?.attempts).toBe(0);
    });

    it('rejected again: stays open with the new reason and detail, payload kept unless a new one is given', async () => {
      const store = new StateStore(await engine.fresh());
      await store.quarantine([item(1)]);
      await store.settleReplay(1, { accepted: false, reason: 'unknown-meter', detail: 'meter m1 unknown' });
      expect(await store.quarantineRecord(1)).toEqual({
        ...item(1),
        id: 1,
        reason: 'unknown-meter',
        detail: 'meter m1 unknown',
        status: 'open',
        attempts: 1,
      });
      await store.settleReplay(1, { accepted: false, reason: 'non-finite', detail: 'element 2: NaN', payload: '[{"ts":1,"value":null}]' });
      const after = await store.quarantineRecord(1);
      expect(after).toEqual({
        ...item(1),
        id: 1,
        reason: 'non-finite',
        detail: 'element 2: NaN',
        payload: '[{"ts":1,"value":null}]',
        status: 'open',
        attempts: 2,
      });
      expect(after?.replayedAt).toBeUndefined();
      expect(await store.countQuarantine()).toEqual({ 'non-finite': 1 });
      // Then accepted on the third try.
      await store.settleReplay(1, { accepted: true, at: T0 + 9 });
      expect(await store.quarantineRecord(1)).toMatchObject({ status: 'replayed', attempts: 3, replayedAt: T0 + 9, reason: 'non-finite' });
    });

    it('an unknown id changes nothing', async () => {
      const store = new StateStore(await engine.fresh());
      await store.quarantine([item(1)]);
      await store.settleReplay(7, { accepted: true, at: T0 });
      expect(await store.listQuarantine({ status: 'all' })).toEqual([{ ...item(1), id: 1, status: 'open', attempts: 0 }]);
    });
  });

  describe('data quality', () => {
    const ev = (kind: DataQualityEvent['kind'], meter: string, enterprise = 'alu01', detail?: string): DataQualityEvent => ({
      kind,
      enterprise,
      meter,
      ts: T0 - 900_000,
      ...(detail !== undefined && { detail }),
    });
    const sortCounts = <T extends { enterprise: string; meter: string; kind: string }>(rows: T[]): T[] =>
      rows.sort((a, b) => `${a.enterprise}|${a.meter}|${a.kind}`.localeCompare(`${b.enterprise}|${b.meter}|${b.kind}`));

    it('counts events per enterprise, meter and kind within a window of recording times, both ends included', async () => {
      const store = new StateStore(await engine.fresh());
      await store.recordDataQuality([ev('rollover', 'e-main', 'alu01', 'wrapped at 99999.9'), ev('rollover', 'e-main'), ev('late', 'e-main')], T0);
      await store.recordDataQuality([ev('reset', 'e-aux'), ev('rollover', 'e-main'), ev('late', 'k1', 'cem02')], T0 + 60_000);
      await store.recordDataQuality([ev('correction', 'e-main')], T0 + 120_000);
      await store.recordDataQuality([], T0 + 180_000);

      expect(sortCounts(await store.dataQualityCounts(T0, T0 + 120_000))).toEqual([
        { enterprise: 'alu01', meter: 'e-aux', kind: 'reset', n: 1 },
        { enterprise: 'alu01', meter: 'e-main', kind: 'correction', n: 1 },
        { enterprise: 'alu01', meter: 'e-main', kind: 'late', n: 1 },
        { enterprise: 'alu01', meter: 'e-main', kind: 'rollover', n: 3 },
        { enterprise: 'cem02', meter: 'k1', kind: 'late', n: 1 },
      ]);
      // Only the second batch.
      expect(sortCounts(await store.dataQualityCounts(T0 + 1, T0 + 119_999))).toEqual([
        { enterprise: 'alu01', meter: 'e-aux', kind: 'reset', n: 1 },
        { enterprise: 'alu01', meter: 'e-main', kind: 'rollover', n: 1 },
        { enterprise: 'cem02', meter: 'k1', kind: 'late', n: 1 },
      ]);
      // The first batch only (until is inclusive).
      expect(sortCounts(await store.dataQualityCounts(T0 - 1, T0))).toEqual([
        { enterprise: 'alu01', meter: 'e-main', kind: 'late', n: 1 },
        { enterprise: 'alu01', meter: 'e-main', kind: 'rollover', n: 2 },
      ]);
      expect(await store.dataQualityCounts(T0 + 120_001, T0 + 999_999)).toEqual([]);
    });

    it('a batch with one bad event records nothing', async () => {
      const store = new StateStore(await engine.fresh());
      const broken = { ...ev('late', 'e-main'), meter: null } as unknown as DataQualityEvent;
      await expect(store.recordDataQuality([ev('late', 'e-main'), broken], T0)).rejects.toThrow();
      expect(await store.dataQualityCounts(0, T0 * 2)).toEqual([]);
    });
  });
});
