/**
 * Daily unit consumption per product in GET /api/enterprises/{id}/diagnosis is the benchmark's
 * definition per day (contract 10, services/figures/boundaryEnergy.ts): the boundary's energy with
 * feedstock, on the equivalent basis, over quantities converted to the level's unit (kg and t meters
 * added), with the sub-meter fallback when only sub-meters measure a product. Embedded SQLite store.
 *
 * meth01, a natural-gas methanol plant (level row configured below, unit t), every day of June 2026 the
 * same energy, all at 00:00: feedstock gas 1,000 m3 x 1.2143 = 1,214.3 kgce; fuel gas 100 m3 x 1.2143 =
 * 121.43 kgce; electricity 1,000 kWh x 0.1229 = 122.9 kgce; total 1,458.63 kgce, 1,000 AC kWh.
 * Methanol: meter out-t (t) and meter out-kg (kg). 1 June: 0.5 t + 500 kg = 1 t; 2 June: 1 t + 500 kg = 1.5 t.
 * Byproduct (no level) measured by two sub-meters only, p-kg (kg, listed first) and p-t (t):
 * 1 June 2,000 kg + 1 t = 3,000 kg.
 */
import { DateTime } from 'luxon';
import { COEFFICIENTS } from '../../config/coefficients';
import { parseConfig } from '../../config/load';
import { FactorTable } from '../../services/energy/factors';
import { BenchmarkFiguresService } from '../../services/figures/benchmarkFigures';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const ZONE = 'Asia/Shanghai';
const NOW = Date.parse('2026-07-10T12:00:00+08:00');

const config = parseConfig(`
benchmarks:
  - product: methanol_natural_gas
    name: 甲醇（天然气制，测试）
    nameEn: Natural-gas methanol (test)
    metric: kgce_per_t
    unit: t
    benchmark: 1150
    baseline: 1380
    edition: "2023"
    deadline: "2025-12-31"
    source: "test row"
enterprises:
  - id: meth01
    name: 测试甲醇
    industry: "2614"
    products:
      - {product: methanol_natural_gas}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: gas-fuel, carrier: natural_gas, unit: m3, kind: counter}
      - {id: gas-feed, carrier: feedstock_natural_gas, unit: m3, kind: counter}
      - {id: out-t, carrier: product, product: methanol_natural_gas, unit: t, kind: counter}
      - {id: out-kg, carrier: product, product: methanol_natural_gas, unit: kg, kind: counter}
      - {id: p-kg, carrier: product, product: byproduct, unit: kg, kind: counter, submeter: true}
      - {id: p-t, carrier: product, product: byproduct, unit: t, kind: counter, submeter: true}
`);

function hours(): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  const add = (meter: string, carrier: string, unit: string, hour: number, quantity: number) =>
    out.push({ enterprise: 'meth01', meter, carrier, unit, hour, quantity });
  for (let d = 1; d <= 30; d++) {
    const at = DateTime.fromObject({ year: 2026, month: 6, day: d }, { zone: ZONE }).toMillis();
    add('gas-feed', 'feedstock_natural_gas', 'm3', at, 1000);
    add('gas-fuel', 'natural_gas', 'm3', at, 100);
    add('e-main', 'electricity', 'kWh', at, 1000);
    if (d <= 2) {
      add('out-t', 'product', 't', at, d === 1 ? 0.5 : 1);
      add('out-kg', 'product', 'kg', at, 500);
    }
    if (d === 1) {
      add('p-kg', 'product', 'kg', at, 2000);
      add('p-t', 'product', 't', at, 1);
    }
  }
  return out;
}

interface Product {
  product: string;
  unit: string | null;
  days: Record<string, unknown>[];
  note: string | null;
}

describe('diagnosis: unit consumption per product by day, as the benchmark defines it', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp({ ...config, auth: authSection() }, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: hours() });
  });
  afterAll(async () => svc?.stop());

  it('counts feedstock and adds kg and t meters in the level unit', async () => {
    const res = await svc.get('/api/enterprises/meth01/diagnosis?month=2026-06', TOKENS.auditor);
    expect(res.status).toBe(200);
    const p = (res.body as { products: Product[] }).products.find((x) => x.product === 'methanol_natural_gas')!;
    expect(p).toMatchObject({ unit: 't', note: null });
    expect(p.days).toEqual([
      // 1,458.63 kgce / 1 t; 1,000 kWh / 1 t
      { date: '2026-06-01', quantity: 1, kgceEquivalent: 1458.63, acKwh: 1000, kgcePerUnit: 1458.63, kwhAcPerUnit: 1000 },
      // 1,458.63 / 1.5 = 972.42 kgce/t; 1,000 / 1.5 = 666.666667 kWh/t
      { date: '2026-06-02', quantity: 1.5, kgceEquivalent: 1458.63, acKwh: 1000, kgcePerUnit: 972.42, kwhAcPerUnit: 666.666667 },
    ]);
  });

  it('falls back to the sub-meters and uses the first meter unit for a product without a level', async () => {
    const res = await svc.get('/api/enterprises/meth01/diagnosis?month=2026-06', TOKENS.auditor);
    const p = (res.body as { products: Product[] }).products.find((x) => x.product === 'byproduct')!;
    expect(p).toMatchObject({ unit: 'kg', note: null });
    // 2,000 kg + 1 t = 3,000 kg; 1,458.63 / 3,000 = 0.48621 kgce/kg; 1,000 / 3,000 = 0.333333333 kWh/kg
    expect(p.days).toEqual([
      { date: '2026-06-01', quantity: 3000, kgceEquivalent: 1458.63, acKwh: 1000, kgcePerUnit: 0.48621, kwhAcPerUnit: 0.333333333 },
    ]);
  });

  it('gives the same kgce/t as the benchmark over the same days', async () => {
    // the benchmark at 3 June: year to date 1 Jan - 3 Jun = 1-2 June: 2 x 1,458.63 kgce / 2.5 t = 1,166.904 kgce/t
    const at = Date.parse('2026-06-03T12:00:00+08:00');
    const benchmark = new BenchmarkFiguresService({
      store: svc.app.store,
      outputs: { records: () => Promise.resolve([]) },
      config,
      factors: new FactorTable(config, COEFFICIENTS),
    });
    const figures = await benchmark.benchmarkAt(config.enterprises[0]!, at);
    expect(figures[0]).toMatchObject({ product: 'methanol_natural_gas', sec: 1166.904, quantity: 2.5 });
  });
});
