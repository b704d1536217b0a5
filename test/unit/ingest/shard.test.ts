import fc from 'fast-check';
import { PayloadDecoder, type Decoded, type RawMessage } from '../../../ingest/decode';
import { parseShard, ShardSpecError } from '../../../config/shardSpec';
import { elementSpans, fnv1a32, meterShard, ShardFilter, topicShard } from '../../../ingest/shard';
import { testConfig, testRegistry } from '../../helpers/config';

const config = testConfig();
const decoder = new PayloadDecoder(testRegistry(config));
const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const MAX_BYTES = 4096;
const opts = { maxFutureMs: 5 * 60_000, maxPayloadBytes: MAX_BYTES, now: NOW };
const enterprises = new Set(config.enterprises.map((e) => e.id));
const filters = (count: number) =>
  Array.from({ length: count }, (_, index) => new ShardFilter({ shard: { index, count }, maxPayloadBytes: MAX_BYTES, enterprises }));
const msg = (topic: string, payload: string): RawMessage => ({ topic, payload, receivedAt: NOW });

/** What the decoder makes of a message, in a comparable form (reading keys; rejection reason, enterprise, meter). */
function outcome(d: Decoded): { readings: string[]; rejected: string[] } {
  return {
    readings: d.readings.map((r) => `${r.enterprise}/${r.meter}@${r.ts}=${r.value}:${r.quality}`).sort(),
    rejected: d.rejected.map((q) => `${q.reason}:${q.enterprise ?? '-'}/${q.meter ?? '-'}`).sort(),
  };
}

/** Decodes every shard's part and merges: must equal decoding the whole message on one instance. */
function shardedOutcome(m: RawMessage, count: number) {
  const parts = filters(count).map((f) => f.route(m));
  const merged = parts.filter((p): p is RawMessage => p !== undefined).map((p) => outcome(decoder.decode(p, opts)));
  return {
    readings: merged.flatMap((o) => o.readings).sort(),
    rejected: merged.flatMap((o) => o.rejected).sort(),
    owners: parts.filter((p) => p !== undefined).length,
  };
}

const ts = (k: number) => NOW - 3_600_000 + k * 900_000;

describe('shard spec', () => {
  it.each([
    ['0/1', { index: 0, count: 1 }],
    ['1/2', { index: 1, count: 2 }],
    [' 3 / 8 ', { index: 3, count: 8 }],
  ])('parses %s', (text, spec) => {
    expect(parseShard(text, 'INGEST_SHARD')).toEqual(spec);
  });

  it.each(['2/2', '0/0', '-1/2', '1', 'a/b', '1/2/3', ''])('refuses %j with the source named', (text) => {
    expect(() => parseShard(text, '--shard')).toThrow(ShardSpecError);
    expect(() => parseShard(text, '--shard')).toThrow(/^--shard: invalid shard/);
  });
});

describe('hash', () => {
  it('is FNV-1a 32 (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('spreads meters over shards', () => {
    const counts = [0, 0, 0, 0];
    for (let e = 0; e < 50; e++) for (let m = 0; m < 20; m++) counts[meterShard(`ent${e}`, `m${m}`, 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(180); // 250 each on average
  });
});

describe('shard filter: the shards together decode exactly what one instance decodes, each item once', () => {
  const array = JSON.stringify([
    { meter: 'e-main', ts: ts(0), value: 10 },
    { meter: 'e-pot', ts: ts(0), value: 5 },
    { meter: 'gas', ts: ts(1), value: 1.25 },
    { meter: 'out', ts: ts(1), value: 3, unit: 't' },
    { meter: 'ghost', ts: ts(1), value: 3 },
    { meter: 'e-main', ts: ts(2), value: Number.POSITIVE_INFINITY },
    { meter: 'gas', ts: ts(2), value: 'NaN' },
    { meter: 'e-pot', ts: ts(2), value: 7, unit: 'm3' },
    { ts: ts(3), value: 4 },
    [1, 2],
    null,
    { meter: 'out', ts: NOW + 3_600_000, value: 9 },
  ]).replace('"value":null', '"value":1e999');
  const cases: [string, RawMessage][] = [
    ['single reading', msg('energy/alu01/e-main', JSON.stringify({ ts: ts(0), value: 120.5 }))],
    [
      'array on a meter topic',
      msg(
        'energy/alu01/gas',
        JSON.stringify([
          { ts: ts(0), value: 1 },
          { ts: ts(1), value: 'x' },
        ]),
      ),
    ],
    ['bad JSON on a meter topic', msg('energy/alu01/e-pot', '{"ts": ')],
    ['unknown meter topic', msg('energy/alu01/ghost', JSON.stringify({ ts: ts(0), value: 1 }))],
    ['multi-meter array with bad elements', msg('energy/alu01', array)],
    [
      'multi-meter array of another enterprise',
      msg(
        'energy/cem01',
        JSON.stringify([
          { meter: 'e-main', ts: ts(0), value: 1 },
          { meter: 'e-main', ts: ts(1), value: 2 },
        ]),
      ),
    ],
    ['bad JSON on the multi-meter topic', msg('energy/alu01', '[{"meter": "e-main"')],
    [
      'unknown enterprise',
      msg(
        'energy/zzz01',
        JSON.stringify([
          { meter: 'a', ts: ts(0), value: 1 },
          { meter: 'b', ts: ts(0), value: 1 },
        ]),
      ),
    ],
    ['not an array on the multi-meter topic', msg('energy/alu01', JSON.stringify({ meter: 'e-main', ts: ts(0), value: 1 }))],
    ['empty array', msg('energy/alu01', '[]')],
    ['bad topic', msg('energy/ALU/x', '{}')],
    [
      'too large',
      msg('energy/alu01', JSON.stringify(Array.from({ length: 200 }, (_, k) => ({ meter: k % 2 ? 'e-main' : 'gas', ts: ts(k), value: k })))),
    ],
    [
      'deeply nested element',
      msg('energy/alu01', `[{"meter":"e-main","ts":${ts(0)},"value":1},{"meter":"gas","x":${'['.repeat(5000)}${']'.repeat(5000)}}]`),
    ],
  ];

  it.each(cases)('%s', (_name, m) => {
    const whole = outcome(decoder.decode(m, opts));
    expect(whole.readings.length + whole.rejected.length).toBeGreaterThan(0);
    for (const count of [1, 2, 3, 5]) {
      const sharded = shardedOutcome(m, count);
      expect({ count, readings: sharded.readings, rejected: sharded.rejected }).toEqual({ count, ...whole });
      expect(sharded.owners).toBeGreaterThanOrEqual(1);
    }
  });

  it("a meter topic goes whole to the meter's shard, untouched; unattributable messages to the topic's shard", () => {
    const m = msg('energy/alu01/e-main', '{"not": "json"');
    const [a, b] = filters(2);
    const owner = meterShard('alu01', 'e-main', 2);
    expect([a!.route(m), b!.route(m)][owner]).toBe(m);
    expect([a!.route(m), b!.route(m)][1 - owner]).toBeUndefined();
    const bad = msg('energy/alu01', 'nope');
    expect(filters(3).map((f) => f.route(bad) === bad)).toEqual([0, 1, 2].map((i) => i === topicShard('energy/alu01', 3)));
  });

  it('splits an array by meter and keeps the order within a shard', () => {
    const items = Array.from({ length: 40 }, (_, k) => ({ meter: ['e-main', 'e-pot', 'gas', 'out'][k % 4]!, ts: ts(k), value: k }));
    const m = msg('energy/alu01', JSON.stringify(items));
    const fs = filters(2);
    for (const f of fs) {
      const part = f.route(m);
      const expected = items.filter((i) => meterShard('alu01', i.meter, 2) === f.shard.index);
      if (expected.length === 0) expect(part).toBeUndefined();
      else expect(JSON.parse(String(part!.payload))).toEqual(expected);
    }
    expect(fs.reduce((n, f) => n + f.stats.split + f.stats.kept, 0)).toBeGreaterThan(0);
  });

  it('property: random multi-meter arrays decode the same sharded as whole', () => {
    const element = fc.oneof(
      fc.record({
        meter: fc.constantFrom('e-main', 'e-pot', 'gas', 'out', 'ghost'),
        ts: fc.integer({ min: 0, max: 20 }).map(ts),
        value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant('x')),
      }),
      fc.record({ ts: fc.integer({ min: 0, max: 20 }).map(ts), value: fc.integer() }),
      fc.constantFrom(null, 1, 'x', [] as unknown[]),
    );
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 30 }), fc.integer({ min: 2, max: 4 }), (items, count) => {
        const m = msg('energy/alu01', JSON.stringify(items));
        const whole = outcome(decoder.decode(m, opts));
        const sharded = shardedOutcome(m, count);
        expect({ readings: sharded.readings, rejected: sharded.rejected }).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('cuts the kept elements out of the received text, not re-serialised', () => {
    const text = ` [ {"meter": "e-main", "ts": ${ts(0)}, "value": 1e999, "note": "a \\"]},[" } ,\n{"meter":"out","ts":${ts(0)},"value":-0} ]`;
    const m = msg('energy/alu01', text);
    const parts = filters(2).map((f) => f.route(m));
    const owner = (meter: string) => meterShard('alu01', meter, 2);
    expect(owner('e-main')).not.toBe(owner('out'));
    expect(String(parts[owner('e-main')]!.payload)).toBe(`[{"meter": "e-main", "ts": ${ts(0)}, "value": 1e999, "note": "a \\"]},[" }]`);
    expect(String(parts[owner('out')]!.payload)).toBe(`[{"meter":"out","ts":${ts(0)},"value":-0}]`);
  });
});

describe('element spans', () => {
  it('property: each span parses to its element of the array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 10 }), fc.constantFrom('', ' ', '\n\t'), (items, ws) => {
        const text = `${ws}[${ws}${items.map((i) => JSON.stringify(i)).join(`${ws},${ws}`)}${ws}]${ws}`;
        const spans = elementSpans(text);
        expect(spans.map(([a, b]) => JSON.parse(text.slice(a, b)) as unknown)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
