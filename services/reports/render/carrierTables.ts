/**
 * The district's carriers, split as the dual-control total is (contract 4): the energy that counts,
 * each with its share of the total the report states, and, listed apart, what the total leaves out
 * (feedstock 原料用能, renewable electricity). Shares are of the stated total, so they add up to it
 * (issue 21: feedstock in the pie made the shares of 31,037.7 tce while the total said 24,559.857).
 */
import type { MonthlyReport } from '../reportModel';
import { basisName, carrierName, pick, unitLabel, type Language } from './labels';
import { table, type ColumnSpec, type Table } from './tableModel';

export interface DistrictCarrier {
  readonly key: string;
  readonly quantity: number;
  readonly unit: string;
  readonly tce: number;
  readonly co2Kg: number;
}

/**
 * Whether a district carrier key counts in dual control: as the enterprises' figures say (the
 * builder's flag); a key no enterprise carries falls back to the contract's rule.
 */
export function inDualControl(report: MonthlyReport, key: string): boolean {
  for (const e of report.enterprises) {
    const f = e.carriers[key];
    if (f) return f.dualControl;
  }
  const carrier = key.split(':')[0]!;
  return !(carrier.startsWith('feedstock_') || carrier === 'renewable_electricity');
}

/** District carriers in the model's order: [counted in dual control, left out of it]. */
export function splitCarriers(report: MonthlyReport): readonly [DistrictCarrier[], DistrictCarrier[]] {
  const counted: DistrictCarrier[] = [];
  const apart: DistrictCarrier[] = [];
  for (const [key, f] of Object.entries(report.totals.byCarrier)) {
    const c = { key, quantity: f.quantity, unit: f.unit, tce: f.tce, co2Kg: f.co2Kg };
    (inDualControl(report, key) ? counted : apart).push(c);
  }
  return [counted, apart];
}

/** A carrier's share of the stated dual-control total; null when the total is 0. */
export function shareOfTotal(report: MonthlyReport, tce: number): number | null {
  return report.totals.totalTce > 0 ? tce / report.totals.totalTce : null;
}

/** Kilograms as tonnes: people read CO2 in t (issue 21); the JSON keeps kg (contract 6). */
export const tonnes = (kg: number): number => kg / 1000;

export function carrierTables(report: MonthlyReport, lang: Language): { byCarrier: Table; byCarrierOutside: Table } {
  const z = (zh: string, en: string): string => pick(lang, zh, en);
  const basis = basisName(report.electricityBasis, lang);
  const co2 = unitLabel('tCO2', lang);
  const [counted, apart] = splitCarriers(report);
  const head: ColumnSpec[] = [
    ['carrier', z('能源品种', 'Carrier'), 'text'],
    ['quantity', z('实物量', 'Quantity'), 'quantity'],
    ['unit', z('计量单位', 'Unit'), 'text'],
    ['tce', z(`折标煤（${basis}）`, `Standard coal (${basis})`), 'tce', 'tce'],
  ];
  const co2Column: ColumnSpec = ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', co2];
  return {
    byCarrier: table(
      'byCarrier',
      z('分能源品种（计入能耗双控）', 'By energy carrier (counted in dual control)'),
      [...head, ['share', z('占能耗总量比例', 'Share of the total'), 'percent', '%'], co2Column],
      counted.map((c) => [carrierName(c.key, lang), c.quantity, c.unit, c.tce, shareOfTotal(report, c.tce), tonnes(c.co2Kg)]),
    ),
    byCarrierOutside: table(
      'byCarrierOutside',
      z('不计入能耗双控的能源（原料用能、可再生能源电力）', 'Energy outside the dual-control total (feedstock, renewable electricity)'),
      [...head, co2Column],
      apart.map((c) => [carrierName(c.key, lang), c.quantity, c.unit, c.tce, tonnes(c.co2Kg)]),
    ),
  };
}
