import { RollupCache } from '../../../../services/store/influx/rollupCache';

import type { QueryRow } from '../../../../services/store/influx/influxql';

const row = (n: number): QueryRow => ({ measurement: 'consumption_daily', tags: {}, columns: { time: n, quantity: n } });

describe('RollupCache', () => {
  it('signs a range by the marks of its days only, in a stable order', () => {
    const marks = new Map([
      [30, 'b:1'],
      [10, 'a:1'],
      [20, 'a:2'],
      [40, 'c:9'],
    ]);
    expect(RollupCache.signature(marks, 10, 40)).toBe('10=a:1,20=a:2,30=b:1');
    expect(RollupCache.signature(marks, 11, 20)).toBe('');
  });

  it('answers a statement only under the signature it was read with', () => {
    const cache = new RollupCache();
    cache.set('q1', 's1', [row(1)]);
    expect(cache.get('q1', 's1')).toEqual([row(1)]);
    expect(cache.get('q1', 's2')).toBeUndefined(); // a day of it changed since
    expect(cache.get('q2', 's1')).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 2]);
  });

  it('keeps at most maxRows rows, dropping the least recently used', () => {
    const cache = new RollupCache(3);
    cache.set('a', 's', [row(1), row(2)]);
    cache.set('b', 's', [row(3)]);
    expect(cache.get('a', 's')).toHaveLength(2); // a is now the most recently used
    cache.set('c', 's', [row(4)]);
    expect(cache.get('b', 's')).toBeUndefined();
    expect(cache.get('a', 's')).toHaveLength(2);
    expect(cache.get('c', 's')).toHaveLength(1);
    cache.set('huge', 's', [row(1), row(2), row(3), row(4)]); // larger than the cache: not kept
    expect(cache.get('huge', 's')).toBeUndefined();
  });
});
