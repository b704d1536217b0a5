/** The monthly report's totals (contract 6): by carrier, by industry and by park, summed by the figure rule. */
import { figure } from '../figures/precision';
import { parkTotalsOf } from './carbonSection';
import type { EnterpriseReport, MonthlyReport } from './reportModel';

export function totalsOf(reports: readonly EnterpriseReport[]): MonthlyReport['totals'] {
  const byCarrier: Record<string, { quantity: number; unit: string; tce: number; tceOtherBasis: number; co2Kg: number }> = {};
  const byIndustry: Record<string, { name: string; totalTce: number; co2Kg: number; enterprises: number }> = {};
  for (const e of reports) {
    for (const [key, c] of Object.entries(e.carriers)) {
      const t = (byCarrier[key] ??= { quantity: 0, unit: c.unit, tce: 0, tceOtherBasis: 0, co2Kg: 0 });
      t.quantity = figure(t.quantity + c.quantity);
      t.tce = figure(t.tce + c.tce);
      t.tceOtherBasis = figure(t.tceOtherBasis + c.tceOtherBasis);
      t.co2Kg = figure(t.co2Kg + c.co2Kg);
    }
    const i = (byIndustry[e.industry] ??= { name: e.industryName, totalTce: 0, co2Kg: 0, enterprises: 0 });
    i.totalTce = figure(i.totalTce + e.totalTce);
    i.co2Kg = figure(i.co2Kg + e.co2Kg);
    i.enterprises++;
  }
  return {
    totalTce: figure(reports.reduce((s, e) => s + e.totalTce, 0)),
    totalTceOtherBasis: figure(reports.reduce((s, e) => s + e.totalTceOtherBasis, 0)),
    co2Kg: figure(reports.reduce((s, e) => s + e.co2Kg, 0)),
    byCarrier,
    byIndustry,
    // Reports of enterprises configured before parks (or built by hand) carry no park key at all.
    ...(reports.some((e) => e.park !== undefined) && { byPark: parkTotalsOf(reports) }),
  };
}
