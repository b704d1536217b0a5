/**
 * The demo's benchmark story (issue 16 item 6): `npm start` must show one plant at benchmark, one
 * compliant and one below baseline with its deadline alarm. The tiers are computed here from what the
 * simulator produces (the profile integrals over each product's boundary) and what the demo script
 * enters (the smelter's 205-1 quantities), through the service's own arithmetic
 * (services/energy/benchmark.ts, productBoundary.ts), never copied from a run.
 *
 * Hand figures (profiles.ts, coefficients 当量值: electricity 0.1229 kgce/kWh, natural gas 1.2143
 * kgce/m3, raw coal 714.3 kgce/t, steam 34.12 kgce/GJ):
 *   alu01 aluminium_liquid, boundary e-potline: (45,700 - 2,100) kW / (45,700 / 13,330) t/h
 *         = 43,600 / 3.42836 = 12,717 kWh/t  <= 13,000 -> benchmark
 *   chem01 methanol_natural_gas, default boundary (feedstock in): (7,410 + 3,300) m3/h x 1.2143
 *         = 13,005.2 + steam 12.2 GJ/h x 34.12 = 416.3 + 1,450 kWh x 0.1229 = 178.2 -> 13,599.7 kgce/h
 *         / 11.4 t/h = 1,193.0 kgce/t: 1,150 < 1,193.0 <= 1,380 -> compliant
 *         (steam mean: 12.6 - 1.2 x 16/48 half-hour points in the day ramp = 12.2 GJ/h)
 *   cem01 cement_clinker, boundary [e-main, coal]: 29.4 t/h x 714.3 = 21,000.4 + (7,800 + 6,000 x
 *         37.4/48) kW x 0.1229 = 12,475 x 0.1229 = 1,533.2 -> 22,533.6 kgce/h / 188 t/h = 119.86 kgce/t
 *         > 117 -> below baseline; deadline 2025-12-31 passed -> critical all of 2026
 *         (raw-mill mean: half-hour points 16 x 1 + 6 x 0.8 + 14 x 0.9 + 8 x 0 + 4 x 1 = 37.4 of 48)
 */
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import { COEFFICIENTS } from '../../../config/coefficients';
import { benchmarkTable } from '../../../config/benchmarks';
import type { EnterpriseConfig, MeterConfig } from '../../../config/schema';
import { benchmarkFigures, benchmarkSeverity } from '../../../services/energy/benchmark';
import { FactorTable } from '../../../services/energy/factors';
import { benchmarkedProducts, productBoundary } from '../../../services/energy/productBoundary';
import { demoMonthlyStatistics } from '../../../ingest/simulator/demoLedger';
import { integralTo, profileFor } from '../../../ingest/simulator/profiles';

const ZONE = 'Asia/Shanghai';
const OFFSET = 8 * 3_600_000;
const YEAR = 2026;
const config = loadConfigFile(DEMO_CONFIG_PATH);
const factors = new FactorTable(config, COEFFICIENTS);
const year = factors.forYear(YEAR);
const table = benchmarkTable(config.benchmarks);
const enterprise = (id: string): EnterpriseConfig => config.enterprises.find((e) => e.id === id)!;
/** Local start of month `month` of YEAR (13 = January of the next year). */
const monthStart = (month: number) =>
  DateTime.fromObject({ year: YEAR }, { zone: ZONE })
    .plus({ months: month - 1 })
    .toMillis();

/** What a simulated meter records over [from, to), in its carrier's unit. */
function metered(e: EnterpriseConfig, m: MeterConfig, from: number, to: number): number {
  const p = profileFor(e, m);
  return (integralTo(p, to + OFFSET) - integralTo(p, from + OFFSET)) * year.meter(m)!.toCarrierUnit;
}

/** Year to date at `at` (a month start), as the service takes it: boundary energy, entered quantities over metered ones. */
function ytdFigures(e: EnterpriseConfig, product: string, at: number) {
  const row = table.find((r) => r.product === product)!;
  const from = monthStart(1);
  let kgce = 0;
  let acKwh = 0;
  for (const m of productBoundary(e, product)) {
    const f = year.meter(m)!;
    const q = metered(e, m, from, at);
    kgce += q * f.equivalentKgcePerUnit;
    if (m.carrier === 'electricity' || m.carrier === 'renewable_electricity') acKwh += q;
  }
  const entered = new Map(
    demoMonthlyStatistics(config, factors, at)
      .filter((s) => s.enterprise === e.id && s.patch.products?.[product] !== undefined)
      .map((s) => [s.month, s.patch.products![product]!.quantity]),
  );
  let quantity = 0;
  for (let month = 1; monthStart(month) < at; month++) {
    const key = `${YEAR}-${String(month).padStart(2, '0')}`;
    const meter = e.meters.find((m) => m.carrier === 'product' && m.product === product)!;
    quantity += entered.get(key) ?? metered(e, meter, monthStart(month), monthStart(month + 1));
  }
  const figures = benchmarkFigures({ row, energy: { kgceEquivalent: kgce, acKwh }, quantity, equivalentKgcePerKwh: 0.1229, co2TPerTce: null });
  return { row, figures, enteredMonths: entered.size };
}

describe('demo configuration: products and their boundaries', () => {
  it('every product meter names a contract product id with a level (contract 10), and every plant but pha01 is benchmarked', () => {
    const levelled = new Set(table.map((r) => r.product));
    const benchmarked = Object.fromEntries(config.enterprises.map((e) => [e.id, benchmarkedProducts(e, levelled)]));
    expect(benchmarked).toEqual({ alu01: ['aluminium_liquid'], cem01: ['cement_clinker'], chem01: ['methanol_natural_gas'], pha01: [] });
    for (const e of config.enterprises) for (const m of e.meters.filter((x) => x.carrier === 'product')) expect(levelled.has(m.product!)).toBe(true);
  });

  it('the shipped contract rows are used as shipped; natural-gas methanol is the one added row', () => {
    expect(table.find((r) => r.product === 'cement_clinker')).toMatchObject({ benchmark: 100, baseline: 117, deadline: '2025-12-31' });
    expect(table.find((r) => r.product === 'aluminium_liquid')).toMatchObject({ benchmark: 13_000, baseline: 13_350 });
    expect(config.benchmarks.map((r) => r.product)).toEqual(['methanol_natural_gas']);
  });

  it('boundaries: the smelter on its potline rectifier meter only, the clinker line on its meters, methanol on the default boundary with feedstock', () => {
    expect(productBoundary(enterprise('alu01'), 'aluminium_liquid').map((m) => m.id)).toEqual(['e-potline']);
    expect(productBoundary(enterprise('cem01'), 'cement_clinker').map((m) => m.id)).toEqual(['e-main', 'coal']);
    expect(productBoundary(enterprise('chem01'), 'methanol_natural_gas').map((m) => m.id)).toEqual(['e-main', 'gas-fuel', 'steam', 'gas-feed']);
  });

  it('the cement plant prices clinker calcination on cement_clinker, the product its scale measures', () => {
    expect(enterprise('cem01').processEmissions.map((p) => p.product)).toEqual(['cement_clinker']);
  });
});

describe('demo configuration: tiers at what the simulator produces', () => {
  const instants = Array.from({ length: 11 }, (_, i) => monthStart(i + 2));

  it.each(instants.map((at) => [DateTime.fromMillis(at, { zone: ZONE }).toISODate(), at] as const))(
    'year to date at %s: alu01 at benchmark, chem01 compliant, cem01 below baseline (critical: overdue)',
    (_label, at) => {
      const alu = ytdFigures(enterprise('alu01'), 'aluminium_liquid', at);
      const chem = ytdFigures(enterprise('chem01'), 'methanol_natural_gas', at);
      const cem = ytdFigures(enterprise('cem01'), 'cement_clinker', at);
      expect([alu.figures.tier, chem.figures.tier, cem.figures.tier]).toEqual(['benchmark', 'compliant', 'below-baseline']);
      // The hand figures above, within the profiles' wiggles and the 205-1 quantities' +-0.6 %.
      expect(alu.figures.sec! / 12_717).toBeCloseTo(1, 2);
      expect(alu.enteredMonths).toBe(DateTime.fromMillis(at, { zone: ZONE }).month - 1);
      expect(chem.figures.sec! / 1_193.0).toBeCloseTo(1, 2);
      expect(cem.figures.sec! / 119.86).toBeCloseTo(1, 2);
      // Savings: (sec - benchmark) x quantity, in tce; none at benchmark.
      expect(alu.figures.savingsTce).toBe(0);
      expect(cem.figures.savingsTce).toBeCloseTo(((cem.figures.sec! - 100) * cem.figures.quantity!) / 1000, 6);
      expect(benchmarkSeverity(cem.figures.tier, cem.row.deadline, at, ZONE)).toBe('critical');
      expect(benchmarkSeverity(chem.figures.tier, chem.row.deadline, at, ZONE)).toBeNull();
    },
  );

  it("the cement plant's savings potential over a whole year is ~(119.86 - 100) x 188 t/h x 8,760 h = ~32,700 tce", () => {
    const cem = ytdFigures(enterprise('cem01'), 'cement_clinker', monthStart(13));
    // 19.86 kgce/t x 1,646,880 t = 32,707 tce; the production wiggles move it by well under 1 %.
    expect(cem.figures.savingsTce! / 32_707).toBeCloseTo(1, 2);
  });
});
