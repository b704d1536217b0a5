import { meterModel } from '../../../services/energy/meterRegistry';
import { usableReadingWindow, type ReadingHistory } from '../../../services/energy/readingWindow';
import type { Reading } from '../../../services/energy/reading';

const key = { enterprise: 'alu01', meter: 'm' };
const r = (ts: number, quality: Reading['quality'] = 'good'): Reading => ({ ...key, ts, value: ts, quality });
const stored = [r(0), r(10), r(20, 'bad'), r(30), r(40), r(50, 'bad'), r(60), r(75)];

/** An in-memory history with the store's semantics: [from, to), neighbours usable only. */
const history: ReadingHistory = {
  readings: async (_k, from, to) => stored.filter((x) => x.ts >= from && x.ts < to),
  usableNeighbour: async (_k, ts, direction) =>
    direction === 'before' ? stored.filter((x) => x.ts < ts && x.quality !== 'bad').at(-1) : stored.find((x) => x.ts >= ts && x.quality !== 'bad'),
};

describe('usable reading window', () => {
  it('counter and power meters: the usable readings in [from, to) with the nearest usable neighbour on each side', async () => {
    const model = meterModel({ kind: 'counter', multiplier: 1, rollover: undefined, intervalSeconds: 0.01 });
    expect((await usableReadingWindow(history, key, model, 15, 55)).map((x) => x.ts)).toEqual([10, 30, 40, 60]);
    expect((await usableReadingWindow(history, key, { ...model, kind: 'power' }, 0, 30)).map((x) => x.ts)).toEqual([0, 10, 30]);
  });

  it('interval meters: no neighbours, readings up to one interval past `to`', async () => {
    const model = meterModel({ kind: 'interval', multiplier: 1, rollover: undefined, intervalSeconds: 0.015 });
    expect((await usableReadingWindow(history, key, model, 15, 45)).map((x) => x.ts)).toEqual([30, 40, 60]);
  });
});
