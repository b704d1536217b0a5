import type { Reading } from '../../../../services/energy/reading';
import { LatestCache } from '../../../../services/store/influx/latestCache';
import type { LatestReading } from '../../../../services/store/timeSeriesStore';

const r = (meter: string, ts: number, quality: Reading['quality'] = 'good'): Reading => ({ enterprise: 'alu01', meter, ts, value: ts, quality });
const l = (meter: string, lastTs: number, goodTs?: number): LatestReading => ({
  enterprise: 'alu01',
  meter,
  lastTs,
  ...(goodTs !== undefined && { lastGood: r(meter, goodTs) }),
});
const shape = (rows: readonly LatestReading[]) => rows.map((x) => [x.meter, x.lastTs, x.lastGood?.ts ?? null]);

describe('LatestCache', () => {
  const NOW = 10_000_000;
  const make = () => new LatestCache({ fullScanMs: 3_600_000, pollSlackMs: 300_000 });

  it('scans once per enterprise and then polls from the previous poll, less the slack', () => {
    const cache = make();
    expect(cache.stale(['alu01'], NOW)).toEqual(['alu01']);
    cache.scanned(['alu01'], [l('a', 100, 100), l('b', 200, 150)], NOW, cache.mark());
    expect(cache.stale(['alu01'], NOW + 60_000)).toEqual([]);
    expect(cache.stale(['alu01'], NOW + 3_600_001)).toEqual(['alu01']);
    expect(cache.pollFrom(['alu01'])).toBe(NOW - 300_000);
    // Another process wrote b at 300 (bad) and c: the poll's answers win where newer.
    cache.polled(['alu01'], [l('b', 300), l('c', 250, 250)], NOW + 60_000);
    expect(cache.pollFrom(['alu01'])).toBe(NOW + 60_000 - 300_000);
    expect(shape(cache.answer(['alu01']))).toEqual([
      ['a', 100, 100],
      ['b', 300, 150],
      ['c', 250, 250],
    ]);
  });

  it("takes this process's writes at once, and re-asks when the newest usable reading turns bad", () => {
    const cache = make();
    cache.wrote([r('a', 50)]); // not scanned yet: the scan (which starts after it) has it
    expect(cache.stale(['alu01'], NOW)).toEqual(['alu01']);
    cache.scanned(['alu01'], [l('a', 100, 100)], NOW, cache.mark());
    cache.wrote([r('a', 200), r('a', 90), r('n', 40, 'bad')]);
    expect(shape(cache.answer(['alu01']))).toEqual([
      ['a', 200, 200],
      ['n', 40, null],
    ]);
    expect(cache.dirty(['alu01'])).toEqual([{ enterprise: 'alu01', meter: 'n' }]); // may have older usable ones
    cache.wrote([r('a', 200, 'bad')]); // the newest usable reading corrected to bad
    expect(shape(cache.answer(['alu01']))).toEqual([
      ['a', 200, null],
      ['n', 40, null],
    ]);
    expect(
      cache
        .dirty(['alu01'])
        .map((m) => m.meter)
        .sort(),
    ).toEqual(['a', 'n']);
    cache.resolved(cache.dirty(['alu01']), [l('a', 200, 100)], cache.mark()); // n has no usable reading at all
    expect(shape(cache.answer(['alu01']))).toEqual([['a', 200, 100]]);
    expect(cache.dirty(['alu01'])).toEqual([]);
  });

  it('answers `since` as the store does: meters with a reading at or after it, lastGood only from there', () => {
    const cache = make();
    cache.scanned(['alu01'], [l('a', 105, 90), l('b', 30, 30)], NOW, cache.mark());
    expect(shape(cache.answer(['alu01'], 90))).toEqual([['a', 105, 90]]);
    expect(shape(cache.answer(['alu01'], 91))).toEqual([['a', 105, null]]);
    expect(cache.answer(['alu01'], 106)).toEqual([]);
  });

  it('keeps writes acknowledged while a full scan or a lookup ran, however old their timestamps', () => {
    const cache = make();
    // The first scan of an enterprise starts; a catch-up reading (old timestamp) is acknowledged meanwhile.
    let since = cache.mark();
    cache.wrote([r('a', 100), r('old', 5)]);
    cache.scanned(['alu01'], [l('a', 90, 90)], NOW, since); // the scan saw neither
    expect(shape(cache.answer(['alu01']))).toEqual([
      ['a', 100, 100],
      ['old', 5, 5],
    ]);
    // A later scan: a correction to bad during it stays dirty, so the bad reading is not brought back.
    since = cache.mark();
    cache.wrote([r('a', 100, 'bad')]);
    cache.scanned(['alu01'], [l('a', 100, 100), l('old', 5, 5)], NOW + 3_600_001, since);
    expect(cache.dirty(['alu01'])).toEqual([{ enterprise: 'alu01', meter: 'a' }]);
    // Its lookup answers 90, but a new reading written during the lookup wins and stays.
    since = cache.mark();
    cache.wrote([r('a', 110)]);
    cache.resolved([{ enterprise: 'alu01', meter: 'a' }], [l('a', 100, 90)], since);
    expect(shape(cache.answer(['alu01']))).toEqual([
      ['a', 110, 110],
      ['old', 5, 5],
    ]);
  });
});
