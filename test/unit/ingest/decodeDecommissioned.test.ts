/** Readings of a decommissioned meter (contract 8.1): ts >= r is quarantined as `decommissioned`, before r is stored. */
import { PayloadDecoder } from '../../../ingest/decode';
import { MeterTimelines } from '../../../services/energy/meterTimeline';
import { isoInZone } from '../../../services/energy/time';
import { testRegistry } from '../../helpers/config';

const NOW = Date.parse('2026-12-01T08:00:00+08:00');
const R = Date.parse('2026-11-30T00:00:00+08:00');
const opts = { maxFutureMs: 5 * 60_000, maxPayloadBytes: 4096, now: NOW };

describe('decommissioned meters', () => {
  const timelines = new MeterTimelines();
  timelines.add({
    type: 'decommission',
    at: R,
    finalRegister: 70500,
    id: 1,
    enterprise: 'alu01',
    meter: 'e-main',
    recordedBy: 'officer',
    recordedAt: NOW,
  });
  const decoder = new PayloadDecoder(testRegistry(), {
    decommissionedAt: (key) => timelines.of(key).decommissionedAt,
    formatInstant: (ms) => isoInZone(ms, 'Asia/Shanghai'),
  });
  const decode = (topic: string, payload: unknown) => decoder.decode({ topic, payload: JSON.stringify(payload), receivedAt: NOW }, opts);

  it('stores a reading just before r and quarantines one at r and after, with a clear detail', () => {
    const d = decode('energy/alu01/e-main', [
      { ts: R - 1, value: 70499.9 },
      { ts: R, value: 70500 },
      { ts: R + 900_000, value: 70501 },
    ]);
    expect(d.readings.map((r) => r.ts)).toEqual([R - 1]);
    expect(d.rejected.map((q) => q.reason)).toEqual(['decommissioned', 'decommissioned']);
    expect(d.rejected[0]).toMatchObject({ enterprise: 'alu01', meter: 'e-main' });
    expect(d.rejected[0]!.detail).toBe(
      'element 1: meter e-main was decommissioned at 2026-11-30T00:00:00.000+08:00; this reading at 2026-11-30T00:00:00.000+08:00 is not counted (retract the decommission event and replay to count it)',
    );
  });

  it('leaves the other meters of the enterprise alone, on the multi-meter topic too', () => {
    const d = decode('energy/alu01', [
      { meter: 'gas', ts: R + 1, value: 5 },
      { meter: 'e-main', ts: R + 1, value: 70501 },
    ]);
    expect(d.readings.map((r) => r.meter)).toEqual(['gas']);
    expect(d.rejected.map((q) => `${q.meter} ${q.reason}`)).toEqual(['e-main decommissioned']);
  });

  it('accepts the readings again once the decommission is retracted (a replay decodes anew)', () => {
    const local = new MeterTimelines();
    local.add({ type: 'decommission', at: R, id: 7, enterprise: 'alu01', meter: 'e-main', recordedBy: 'officer', recordedAt: NOW });
    const d = new PayloadDecoder(testRegistry(), { decommissionedAt: (key) => local.of(key).decommissionedAt });
    const payload = JSON.stringify({ ts: R + 1, value: 1 });
    expect(d.decode({ topic: 'energy/alu01/e-main', payload, receivedAt: NOW }, opts).rejected[0]?.reason).toBe('decommissioned');
    local.remove(7);
    expect(d.decode({ topic: 'energy/alu01/e-main', payload, receivedAt: NOW }, opts).readings).toHaveLength(1);
  });
});
