/** A meter's active window (contract 8.1: completeness and silence stop at a decommission). */
import { activeWindow, isDecommissioned } from '../../../services/energy/meterActivity';
import { completeness } from '../../../services/energy/completeness';

const ms = (iso: string): number => Date.parse(iso);
const NOV = { from: ms('2026-11-01T00:00:00+08:00'), to: ms('2026-12-01T00:00:00+08:00') };

describe('activeWindow', () => {
  it('is the whole period for a meter in service', () => {
    expect(activeWindow({ decommissionedAt: undefined }, NOV.from, NOV.to)).toEqual(NOV);
  });

  it('ends at the decommission inside the period, and completeness is over that part only', () => {
    const r = ms('2026-11-16T00:00:00+08:00');
    const w = activeWindow({ decommissionedAt: r }, NOV.from, NOV.to);
    expect(w).toEqual({ from: NOV.from, to: r });
    // 15 days x 96 readings of 900 s = 1,440 readings over 15 days: complete (1), where the whole
    // month (30 days, 2,880 expected) would say 0.5.
    expect(completeness(1440, w!.to - w!.from, 900)).toBe(1);
    expect(completeness(1440, NOV.to - NOV.from, 900)).toBe(0.5);
  });

  it('is undefined once the meter was decommissioned at or before the start', () => {
    expect(activeWindow({ decommissionedAt: NOV.from }, NOV.from, NOV.to)).toBeUndefined();
    expect(activeWindow({ decommissionedAt: NOV.from - 1 }, NOV.from, NOV.to)).toBeUndefined();
  });

  it('leaves a later decommission outside the period alone', () => {
    expect(activeWindow({ decommissionedAt: NOV.to + 1 }, NOV.from, NOV.to)).toEqual(NOV);
  });
});

describe('isDecommissioned', () => {
  it('holds from the decommission instant on', () => {
    const r = ms('2026-11-30T00:00:00+08:00');
    expect(isDecommissioned({ decommissionedAt: r }, r - 1)).toBe(false);
    expect(isDecommissioned({ decommissionedAt: r }, r)).toBe(true);
    expect(isDecommissioned({ decommissionedAt: undefined }, r)).toBe(false);
  });
});
