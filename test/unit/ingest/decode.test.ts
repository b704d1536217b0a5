import { PayloadDecoder, parseTopic } from '../../../ingest/decode';
import { testRegistry } from '../../helpers/config';

const decoder = new PayloadDecoder(testRegistry());
const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const opts = { maxFutureMs: 5 * 60_000, maxPayloadBytes: 4096, now: NOW };
const decode = (topic: string, payload: string) => decoder.decode({ topic, payload, receivedAt: NOW }, opts);

describe('topics (contract 2)', () => {
  it.each([
    ['energy/alu01/e-main', { enterprise: 'alu01', meter: 'e-main' }],
    ['energy/alu01', { enterprise: 'alu01' }],
    ['energy/ALU01/x', undefined],
    ['energy/alu01/e-main/extra', undefined],
    ['power/alu01/e-main', undefined],
    ['energy//x', undefined],
  ])('%s', (topic, expected) => expect(parseTopic(topic)).toEqual(expected));
});

describe('payloads (contract 2)', () => {
  it('accepts one reading with epoch ms', () => {
    const d = decode('energy/alu01/e-main', '{"ts": 1793232000000, "value": 120345.6}');
    expect(d.rejected).toEqual([]);
    expect(d.readings).toEqual([{ enterprise: 'alu01', meter: 'e-main', ts: 1793232000000, value: 120345.6, quality: 'good' }]);
  });

  it('accepts ISO time with an offset, a unit and a quality', () => {
    const d = decode('energy/alu01/e-main', '{"ts": "2026-11-28T08:00:00+08:00", "value": 120345.6, "unit": "kWh", "quality": "uncertain"}');
    expect(d.readings).toEqual([{ enterprise: 'alu01', meter: 'e-main', ts: Date.UTC(2026, 10, 28, 0), value: 120345.6, quality: 'uncertain' }]);
  });

  it('converts a unit exactly: 1.5 MWh on a kWh meter is 1500 kWh, 2 MW on a kW meter is 2000 kW', () => {
    expect(decode('energy/alu01/e-main', '{"ts": 1793232000000, "value": 1.5, "unit": "MWh"}').readings[0]?.value).toBe(1500);
    expect(decode('energy/alu01/e-pot', '{"ts": 1793232000000, "value": 2, "unit": "MW"}').readings[0]?.value).toBe(2000);
    expect(decode('energy/alu01/gas', '{"ts": 1793232000000, "value": 0.5, "unit": "10^4 m3"}').readings[0]?.value).toBe(5000);
  });

  it('accepts an array of one meter and the multi-meter topic', () => {
    expect(decode('energy/alu01/e-main', '[{"ts": 1793232000000, "value": 1.5}, {"ts": 1793232900000, "value": 2.25}]').readings).toHaveLength(2);
    const multi = decode('energy/alu01', '[{"meter": "e-main", "ts": 1793232000000, "value": 1}, {"meter": "gas", "ts": 1793232000000, "value": 2}]');
    expect(multi.readings.map((r) => r.meter)).toEqual(['e-main', 'gas']);
  });

  it('stores bad quality as such', () => {
    expect(decode('energy/alu01/e-main', '{"ts": 1793232000000, "value": 1, "quality": "bad"}').readings[0]?.quality).toBe('bad');
  });
});

describe('quarantine reasons (contract 2)', () => {
  it.each([
    ['bad-json', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": '],
    ['bad-shape', 'energy/alu01/e-main', '{"time": 1793232000000, "value": 1}'],
    ['bad-shape', 'energy/alu01/e-main', '{"ts": "2026-11-28T08:00:00", "value": 1}'],
    ['bad-shape', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": "12.5"}'],
    ['bad-shape', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": 1, "quality": "excellent"}'],
    ['bad-shape', 'energy/alu01/e-main', '[]'],
    ['bad-shape', 'energy/alu01', '{"meter": "e-main", "ts": 1793232000000, "value": 1}'],
    ['bad-shape', 'energy/alu01', '[{"ts": 1793232000000, "value": 1}]'],
    ['bad-shape', 'energy/a b/c', '{}'],
    ['unknown-enterprise', 'energy/nobody/e-main', '{"ts": 1793232000000, "value": 1}'],
    ['unknown-meter', 'energy/alu01/nothing', '{"ts": 1793232000000, "value": 1}'],
    ['unknown-meter', 'energy/alu01', '[{"meter": "nothing", "ts": 1793232000000, "value": 1}]'],
    ['unit-mismatch', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": 1, "unit": "m3"}'],
    ['unit-mismatch', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": 1, "unit": "kW"}'],
    ['non-finite', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": 1e999}'],
    ['non-finite', 'energy/alu01/e-main', '{"ts": 1793232000000, "value": "NaN"}'],
    ['future-ts', 'energy/alu01/e-main', `{"ts": ${NOW + 5 * 60_000 + 1}, "value": 1}`],
  ])('%s: %s %s', (reason, topic, payload) => {
    const d = decode(topic, payload);
    expect(d.readings).toEqual([]);
    expect(d.rejected).toHaveLength(1);
    expect(d.rejected[0]).toMatchObject({ reason, topic, receivedAt: NOW });
    expect(d.rejected[0]!.detail.length).toBeGreaterThan(5);
  });

  it('accepts a reading exactly 5 minutes ahead of the server clock', () => {
    expect(decode('energy/alu01/e-main', `{"ts": ${NOW + 5 * 60_000}, "value": 1}`).readings).toHaveLength(1);
  });

  it('refuses an oversized payload as too-large without parsing it', () => {
    const d = decode('energy/alu01/e-main', JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ ts: 1793232000000 + i, value: i }))));
    expect(d.rejected[0]?.reason).toBe('too-large');
  });

  it('quarantines only the bad elements of a gateway array, each with its own payload', () => {
    const d = decode(
      'energy/alu01/e-main',
      '[{"ts": 1793232000000, "value": 1}, {"ts": 1793232900000, "value": "x"}, {"ts": 1793233800000, "value": 3}]',
    );
    expect(d.readings.map((r) => r.value)).toEqual([1, 3]);
    expect(d.rejected).toHaveLength(1);
    expect(d.rejected[0]).toMatchObject({ reason: 'bad-shape', payload: '{"ts":1793232900000,"value":"x"}', enterprise: 'alu01', meter: 'e-main' });
    expect(d.rejected[0]!.detail).toMatch(/^element 1:/);
  });
});
