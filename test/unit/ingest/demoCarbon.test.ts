/**
 * The demo's carbon keys (issue 20 item 7): `npm start` must show every carbon figure filled, and the
 * budgets and limits of config/demo.yaml must give the mix of levels its comments promise. The levels
 * are computed here from what the simulator actually produces (the profile integrals) and what the
 * demo script enters (demoMonthlyStatistics), through the same arithmetic as the service
 * (services/energy/carbon.ts, projectWindow.ts), never copied from a run.
 */
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import { COEFFICIENTS } from '../../../config/coefficients';
import type { EnterpriseConfig, MeterConfig } from '../../../config/schema';
import {
  carbonIntensityStatus,
  carbonStatus,
  co2OfPeriod,
  processFactorsOf,
  type CarrierQuantity,
  type ProductQuantity,
} from '../../../services/energy/carbon';
import { FactorTable } from '../../../services/energy/factors';
import { projectFigures, projectWindow } from '../../../services/energy/projectWindow';
import { demoMonthlyStatistics } from '../../../ingest/simulator/demoLedger';
import { integralTo, profileFor, rateAt } from '../../../ingest/simulator/profiles';

const ZONE = 'Asia/Shanghai';
const OFFSET = 8 * 3_600_000;
const YEAR = 2026;
const config = loadConfigFile(DEMO_CONFIG_PATH);
const factors = new FactorTable(config, COEFFICIENTS);
const year = factors.forYear(YEAR);
const enterprise = (id: string): EnterpriseConfig => config.enterprises.find((e) => e.id === id)!;

/** What a simulated meter records over [from, to), in its carrier's unit. */
function metered(e: EnterpriseConfig, m: MeterConfig, from: number, to: number): number {
  const f = year.meter(m)!;
  const p = profileFor(e, m);
  return (integralTo(p, to + OFFSET) - integralTo(p, from + OFFSET)) * f.toCarrierUnit;
}

/** Year-to-date CO2 at `at` (a month start: only whole months) and the output of those months, as the status counts them. */
function ytd(e: EnterpriseConfig, at: number) {
  const from = DateTime.fromMillis(at, { zone: ZONE }).startOf('year').toMillis();
  const carriers: CarrierQuantity[] = [];
  const products: ProductQuantity[] = [];
  for (const m of e.meters) {
    if (m.submeter) continue;
    const f = year.meter(m)!;
    const q = metered(e, m, from, at);
    if (m.carrier === 'product') products.push({ product: m.product!, quantity: q, unit: f.unit });
    else carriers.push({ quantity: q, factors: f });
  }
  const months = demoMonthlyStatistics(config, factors, at).filter((s) => s.enterprise === e.id);
  let processCo2T = 0;
  let greenCertificatesKwh = 0;
  let output = 0;
  for (const { patch } of months) {
    processCo2T += patch.processCo2T ?? 0;
    greenCertificatesKwh += patch.greenCertificatesKwh ?? 0;
    output += patch.outputValue10kYuan ?? 0;
    for (const [carrier, c] of Object.entries(patch.carriers ?? {})) {
      carriers.push({ quantity: (c.purchased ?? 0) + (c.openingStock ?? 0) - (c.closingStock ?? 0), factors: year.carrier(carrier, c.unit)! });
    }
  }
  const co2 = co2OfPeriod({ dataYear: YEAR, carriers, products, processFactors: processFactorsOf(e), processCo2T, greenCertificatesKwh });
  return { co2, output, months: months.length };
}

const monthStart = (month: number) => DateTime.fromObject({ year: YEAR, month }, { zone: ZONE }).toMillis();
const fraction = (at: number) => (at - monthStart(1)) / (DateTime.fromObject({ year: YEAR + 1 }, { zone: ZONE }).toMillis() - monthStart(1));

describe('demo configuration: carbon keys', () => {
  it('every quota row of every enterprise has a CO2 budget and a CO2 intensity limit, 2025 to 2027', () => {
    for (const e of config.enterprises) {
      expect(e.quotas.map((q) => q.year)).toEqual([2025, 2026, 2027]);
      for (const q of e.quotas) {
        expect(q.co2BudgetT).toBeGreaterThan(0);
        expect(q.co2IntensityLimit).toBeGreaterThan(0);
      }
    }
  });

  it('a park with the two chemical enterprises, and enterprises outside any park', () => {
    expect(config.parks.map((p) => p.id)).toEqual(['baitao']);
    expect(config.enterprises.filter((e) => e.park === 'baitao').map((e) => e.id)).toEqual(['chem01', 'pha01']);
    expect(config.enterprises.filter((e) => e.park === undefined).length).toBeGreaterThan(0);
  });

  it('the cement plant prices clinker calcination on the product its clinker scale measures, with a source', () => {
    const cem = enterprise('cem01');
    const [factor] = cem.processEmissions;
    expect(factor).toMatchObject({ product: 'cement_clinker', tCo2PerUnit: 0.5257 });
    expect(factor!.source).toMatch(/clinker calcination/);
    expect(cem.meters.some((m) => m.carrier === 'product' && m.product === factor!.product)).toBe(true);
  });

  it("the project's meters are simulated sub-meters that stay below the plant's main meters", () => {
    const pha = enterprise('pha01');
    const [project] = pha.projects;
    expect(project).toBeDefined();
    for (const id of project!.meters) {
      const sub = pha.meters.find((m) => m.id === id)!;
      expect(sub.submeter).toBe(true);
      const main = pha.meters.find((m) => m.carrier === sub.carrier && !m.submeter)!;
      const [ps, pm] = [profileFor(pha, sub), profileFor(pha, main)];
      // A week in 15-minute steps, so weekdays, the weekend and every ramp are seen.
      for (let t = monthStart(3); t < monthStart(3) + 7 * 86_400_000; t += 900_000) {
        const [s, m] = [rateAt(ps, t + OFFSET), rateAt(pm, t + OFFSET)];
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThan(m);
      }
    }
  });
});

describe('demo configuration: carbon levels at what the simulator produces', () => {
  // Every month end of 2026 from February on: the levels must hold all year, not on one day.
  const instants = Array.from({ length: 11 }, (_, i) => monthStart(i + 2));
  const expected = {
    budget: { alu01: 'yellow', cem01: 'red', chem01: 'green', pha01: 'green' },
    intensity: { alu01: 'green', cem01: 'yellow', chem01: 'red', pha01: 'green' },
  };

  it.each(instants.map((at) => [DateTime.fromMillis(at, { zone: ZONE }).toISODate(), at] as const))(
    'at %s: a green, a yellow and a red CO2 budget, and the same mix of CO2 intensity',
    (_label, at) => {
      const budget: Record<string, string> = {};
      const intensity: Record<string, string | null> = {};
      for (const e of config.enterprises) {
        const q = e.quotas.find((x) => x.year === YEAR)!;
        const { co2, output, months } = ytd(e, at);
        expect(months).toBe(DateTime.fromMillis(at, { zone: ZONE }).month - 1);
        budget[e.id] = carbonStatus({
          year: YEAR,
          budgetT: q.co2BudgetT!,
          ytdT: co2.totalT,
          fraction: fraction(at),
          rules: config.rules.carbon,
        }).level;
        intensity[e.id] = carbonIntensityStatus({
          co2T: co2.totalT,
          output10kYuan: output,
          limit: q.co2IntensityLimit!,
          rules: config.rules.carbon,
        }).level;
      }
      expect(budget).toEqual(expected.budget);
      expect(intensity).toEqual(expected.intensity);
    },
  );

  it('process CO2 at the cement plant (clinker) and the smelter (entered anodes), green certificates at the smelter', () => {
    const at = monthStart(12);
    const cem = ytd(enterprise('cem01'), at).co2;
    const alu = ytd(enterprise('alu01'), at).co2;
    // Clinker: 188 t/h on average (profiles.ts) x 0.5257 t/t over 334 days is ~792,200 t; the scale's
    // wiggles move it by well under 1 %.
    expect(cem.processT).toBeGreaterThan(0.99 * 188 * 24 * 334 * 0.5257);
    expect(cem.processT).toBeLessThan(1.01 * 188 * 24 * 334 * 0.5257);
    expect(alu.processT).toBeGreaterThan(0);
    // 5 % of the grid kWh (demoLedger.ts) is certified and taken off scope 2.
    expect(alu.greenCertificatesKwh / alu.gridKwh).toBeCloseTo(0.05, 4);
  });

  it('the project ws2 shows a warning (energy >= 90 % of approved) without reaching the CO2 re-review line', () => {
    const pha = enterprise('pha01');
    const project = pha.projects.find((p) => p.id === 'ws2')!;
    for (const at of [monthStart(6), monthStart(12)]) {
      const window = projectWindow(at, project.operatingFrom, ZONE);
      const meters = pha.meters.filter((m) => project.meters.includes(m.id));
      const carriers = meters.map((m) => ({ quantity: metered(pha, m, window.start, window.end), factors: year.meter(m)! }));
      const windowTce = carriers.reduce((a, c) => a + (c.quantity * c.factors.equivalentKgcePerUnit) / 1000, 0);
      const windowCo2T = co2OfPeriod({ dataYear: YEAR, carriers }).totalT;
      const figures = projectFigures({ approvedTce: project.approvedTce, approvedCo2T: project.approvedCo2T!, windowTce, windowCo2T, window });
      expect(figures).toMatchObject({ energyLevel: 'warning', co2Level: null, level: 'warning' });
    }
  });
});
