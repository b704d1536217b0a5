/**
 * The demo's ledger script: the simulated meters go through the recorded replacement and CT change
 * so that the ledger's arithmetic (contract 8.1) books exactly what the profile consumed, and the
 * demo's monthly statistics cover every complete month of the year.
 */
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import { COEFFICIENTS } from '../../../config/coefficients';
import { FactorTable } from '../../../services/energy/factors';
import { demoMonthlyStatistics, plannedDemoEvents, scriptedChanges } from '../../../ingest/simulator/demoLedger';
import { MeterModel } from '../../../ingest/simulator/meterModel';
import { integralTo, profileFor } from '../../../ingest/simulator/profiles';

const ZONE = 'Asia/Shanghai';
const OFFSET = 8 * 3_600_000;
const config = loadConfigFile(DEMO_CONFIG_PATH);
const now = DateTime.fromISO('2026-12-06T12:00:00', { zone: ZONE }).toMillis();

function modelFor(enterprise: string, meter: string) {
  const e = config.enterprises.find((x) => x.id === enterprise)!;
  const m = e.meters.find((x) => x.id === meter)!;
  const changes = scriptedChanges(plannedDemoEvents(config, now)).get(`${enterprise}/${meter}`) ?? [];
  return { e, m, model: new MeterModel({ enterprise: e, meter: m, utcOffsetMs: OFFSET, resets: true, changes }) };
}

describe('demo meter events', () => {
  const events = plannedDemoEvents(config, now);

  it('plans one replacement and one CT change inside the year, at local times on the meter grid', () => {
    expect(events.map((e) => `${e.enterprise}/${e.meter}:${e.event.type}`)).toEqual(['cem01/e-main:replace', 'chem01/e-main:multiplier']);
    // 100 days before 2026-12-06 is 2026-08-28; 45 days before is 2026-10-22.
    expect(DateTime.fromMillis(events[0]!.event.at, { zone: ZONE }).toISO()).toBe('2026-08-28T10:00:00.000+08:00');
    expect(DateTime.fromMillis(events[1]!.event.at, { zone: ZONE }).toISO()).toBe('2026-10-22T00:00:00.000+08:00');
  });

  it('a replaced meter restarts at 0 and the two segments book what the profile consumed', () => {
    const { e, m, model } = modelFor('cem01', 'e-main');
    const r = events[0]!.event;
    if (r.type !== 'replace') throw new Error('expected a replacement');
    const t0 = r.at - 6 * 3_600_000;
    const t1 = r.at + 6 * 3_600_000;
    expect(model.registerAt(r.at)).toBe(0);
    expect(model.registerBefore(r.at)).toBe(r.oldFinalRegister);
    // Contract 8.1: old segment t0 -> (r, oldFinal), new segment (r, 0) -> t1, both x100.
    const booked = (r.oldFinalRegister! - model.registerAt(t0)) * m.multiplier + (model.registerAt(t1) - 0) * m.multiplier;
    const profile = profileFor(e, m);
    const consumed = integralTo(profile, t1 + OFFSET) - integralTo(profile, t0 + OFFSET);
    // Registers show 2 decimals: each of the four readings is within 0.005 x 100 kWh.
    expect(Math.abs(booked - consumed)).toBeLessThanOrEqual(4 * 0.005 * m.multiplier + 1e-6);
  });

  it('after the CT change the register runs at 60/80 of its former speed and nothing is lost', () => {
    const { e, m, model } = modelFor('chem01', 'e-main');
    const c = events[1]!.event;
    if (c.type !== 'multiplier') throw new Error('expected a multiplier change');
    expect(c.multiplier).toBe(80);
    expect(model.registerAt(c.at)).toBe(c.register);
    expect(model.registerBefore(c.at)).toBe(c.register);
    const t0 = c.at - 3 * 3_600_000;
    const t1 = c.at + 3 * 3_600_000;
    const booked = (model.registerAt(c.at) - model.registerAt(t0)) * 60 + (model.registerAt(t1) - model.registerAt(c.at)) * 80;
    const profile = profileFor(e, m);
    const consumed = integralTo(profile, t1 + OFFSET) - integralTo(profile, t0 + OFFSET);
    expect(Math.abs(booked - consumed)).toBeLessThanOrEqual(0.005 * 60 * 2 + 0.005 * 80 * 2 + 1e-6);
  });
});

describe('demo monthly statistics', () => {
  const factors = new FactorTable(config, COEFFICIENTS);
  const months = demoMonthlyStatistics(config, factors, now);

  it('covers every complete month of the year (January to November on 6 December) for every enterprise', () => {
    for (const e of config.enterprises) {
      expect(months.filter((m) => m.enterprise === e.id).map((m) => m.month)).toEqual(
        Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
      );
    }
    for (const m of months) expect(m.patch.outputValue10kYuan).toBeGreaterThan(0);
  });

  it('with a year back (the demo start, issue 21) also covers every month of the previous year, raw coal included', () => {
    // On 6 December 2026: January 2025 .. November 2026 = 12 + 11 = 23 months per enterprise.
    const back = demoMonthlyStatistics(config, factors, now, 1);
    for (const e of config.enterprises) {
      const list = back.filter((m) => m.enterprise === e.id).map((m) => m.month);
      expect(list).toHaveLength(23);
      expect(list[0]).toBe('2025-01');
      expect(list[11]).toBe('2025-12');
    }
    const coal2025 = back.find((m) => m.enterprise === 'pha01' && m.month === '2025-11')?.patch.carriers?.raw_coal;
    expect(coal2025?.purchased).toBeGreaterThan(0);
    // This year's months are the same entries as without the year back.
    expect(back.filter((m) => m.month.startsWith('2026-'))).toEqual(months);
  });

  it('enters raw coal at pha01 with stocks that carry over and never give negative consumption', () => {
    const coal = months.filter((m) => m.enterprise === 'pha01').map((m) => m.patch.carriers?.raw_coal);
    for (let i = 0; i < coal.length; i++) {
      const c = coal[i]!;
      expect(c.purchased + c.openingStock - c.closingStock).toBeGreaterThan(0);
      if (i + 1 < coal.length) expect(coal[i + 1]!.openingStock).toBe(c.closingStock);
    }
  });

  it('enters green certificates and the liquid-aluminium quantity within 0.6 % of the metered one at alu01', () => {
    const e = config.enterprises.find((x) => x.id === 'alu01')!;
    const m = e.meters.find((x) => x.carrier === 'product')!;
    const march = months.find((x) => x.enterprise === 'alu01' && x.month === '2026-03')!;
    const from = DateTime.fromISO('2026-03-01', { zone: ZONE }).toMillis();
    const to = DateTime.fromISO('2026-04-01', { zone: ZONE }).toMillis();
    const metered = integralTo(profileFor(e, m), to + OFFSET) - integralTo(profileFor(e, m), from + OFFSET);
    const entered = march.patch.products?.aluminium_liquid?.quantity ?? 0;
    expect(Math.abs(entered / metered - 1)).toBeLessThanOrEqual(0.006 + 1e-6);
    expect(march.patch.greenCertificatesKwh).toBeGreaterThan(0);
  });
});
