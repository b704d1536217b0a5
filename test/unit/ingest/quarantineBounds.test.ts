/**
 * What one message or one account can put into the quarantine is bounded (issue 14): rows per
 * message, refused publishes per account and minute, and the size of what is kept.
 */
import { PayloadDecoder } from '../../../ingest/decode';
import { payloadSample } from '../../../ingest/payloadSample';
import { RefusalRecorder } from '../../../ingest/refusalRecorder';
import type { QuarantineInput } from '../../../services/store/state/stateStore';
import { testRegistry } from '../../helpers/config';

const decoder = new PayloadDecoder(testRegistry());
const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const decode = (payload: string, maxQuarantinePerMessage?: number) =>
  decoder.decode(
    { topic: 'energy/alu01/e-main', payload, receivedAt: NOW },
    { maxFutureMs: 300_000, maxPayloadBytes: 256 * 1024, now: NOW, ...(maxQuarantinePerMessage !== undefined && { maxQuarantinePerMessage }) },
  );

describe('rows per message', () => {
  it('an 80 KB array of 40,000 zeros makes 100 rows, the last one holding the other 39,901 elements', () => {
    const payload = `[${new Array(40_000).fill('0').join(',')}]`;
    const d = decode(payload);
    expect(d.readings).toEqual([]);
    expect(d.rejected).toHaveLength(100);
    expect(d.rejected[98]?.detail).toMatch(/^element 98: /);
    const summary = d.rejected[99]!;
    // 40,000 - 99 rows of their own = 39,901 kept together, elements 99 to 39,999.
    expect(summary.detail).toMatch(/^elements 99-39999: 39901 rejected elements kept together in this row \(bad-shape 39901\); first: element 99: /);
    expect(summary.reason).toBe('bad-shape');
    expect(JSON.parse(summary.payload)).toHaveLength(39_901);
  });

  it('good elements between bad ones are stored whatever the limit; the summary counts each reason', () => {
    const items = [
      '{"ts":1793232000000,"value":1}',
      '0',
      '{"ts":1793232900000,"value":"x"}',
      '{"ts":1793233800000,"value":2}',
      'null',
      '{"ts":"yesterday","value":3}',
    ];
    const d = decode(`[${items.join(',')}]`, 2);
    expect(d.readings.map((r) => r.value)).toEqual([1, 2]);
    // Limit 2: element 1 alone, then elements 2, 4 and 5 together.
    expect(d.rejected).toHaveLength(2);
    expect(d.rejected[0]?.detail).toMatch(/^element 1: /);
    expect(d.rejected[1]?.detail).toMatch(/^elements 2-5: 3 rejected elements kept together in this row \(bad-shape 3\)/);
    expect(JSON.parse(d.rejected[1]!.payload)).toEqual([{ ts: 1793232900000, value: 'x' }, null, { ts: 'yesterday', value: 3 }]);
  });

  it('exactly the limit of bad elements needs no summary row', () => {
    const d = decode('[0,0,0]', 3);
    expect(d.rejected.map((r) => r.detail.slice(0, 9))).toEqual(['element 0', 'element 1', 'element 2']);
  });

  it('a summary row decodes again as the elements it holds (what a replay does)', () => {
    const d = decode('[0,0,{"ts":1793232000000,"value":5}]', 1);
    expect(d.rejected).toHaveLength(1);
    const again = decode(d.rejected[0]!.payload, 1);
    expect(again.readings).toEqual([]);
    expect(again.rejected).toHaveLength(1);
  });
});

describe('payload samples', () => {
  it('keeps the first 1,024 characters of a 10 MiB payload, marked as cut', () => {
    const sample = payloadSample(Buffer.alloc(10 * 2 ** 20, 'a'));
    expect(sample).toHaveLength(1025);
    expect(sample.endsWith('a…')).toBe(true);
  });
  it('keeps a short payload whole', () => expect(payloadSample('{"ts":1,"value":2}')).toBe('{"ts":1,"value":2}'));
});

describe('RefusalRecorder', () => {
  const item = (n: number): QuarantineInput => ({
    topic: 'energy/cem01/e',
    payload: `p${n}`,
    reason: 'not-authorized',
    detail: `refusal ${n}`,
    receivedAt: n,
    enterprise: 'alu01',
  });

  it('records 3 a window one by one, then one summary row for the rest when the window ends', () => {
    let now = 0;
    const rows: QuarantineInput[] = [];
    const rec = new RefusalRecorder({ perWindow: 3, windowMs: 60_000 }, { record: (i) => rows.push(i), now: () => now });
    for (let n = 0; n < 10; n++) rec.refuse('alu01', item(n));
    rec.refuse('pha01', item(100));
    expect(rows.map((r) => r.payload)).toEqual(['p0', 'p1', 'p2', 'p100']);
    now = 60_000;
    rec.refuse('alu01', item(10));
    // The window of 0 ms .. 60 s closed with 7 suppressed, then a new window records item 10.
    expect(rows).toHaveLength(6);
    expect(rows[4]).toMatchObject({ payload: '', enterprise: 'alu01', reason: 'not-authorized' });
    expect(rows[4]?.detail).toMatch(
      /^7 further publishes by MQTT user "alu01" refused since 1970-01-01T00:00:00.000Z \(after 3 recorded one by one\); payloads not kept\. Last: refusal 9$/,
    );
    expect(rows[5]?.payload).toBe('p10');
    rec.flush();
    expect(rows).toHaveLength(6);
  });

  it('writes the pending summary at flush', () => {
    const rows: QuarantineInput[] = [];
    const rec = new RefusalRecorder({ perWindow: 1 }, { record: (i) => rows.push(i), now: () => 0 });
    rec.refuse('x', item(1));
    rec.refuse('x', item(2));
    rec.flush();
    expect(rows.map((r) => r.detail.split(' (')[0])).toEqual([
      'refusal 1',
      '1 further publishes by MQTT user "x" refused since 1970-01-01T00:00:00.000Z',
    ]);
  });
});
