/**
 * The monthly report's carbon parts (contract 9, 9.1; issue 20): an enterprise's carbon row from its
 * status at month end and its line of the district carbon answer, its energy-review projects, the
 * monthly totals by park, and the view of a report without these parts that reports finalised
 * before them are compared with (docs/carbon.md, "Monthly report").
 */
import type { Config, EnterpriseConfig } from '../../config/schema';
import type { CarbonStatusAt } from '../figures/carbonFigures';
import type { DistrictCarbonEnterprise } from '../figures/districtCarbonTypes';
import { figure } from '../figures/precision';
import type { ProjectAt } from '../figures/projectFigures';
import type { EnterpriseReport, MonthlyReport, ParkTotals, ReportCarbon, ReportProject } from './reportModel';

type FactorRow = { readonly value: number; readonly year?: number; readonly source: string };
const factorRow = (f: FactorRow) => ({ value: f.value, year: f.year ?? null, source: f.source });

/**
 * The enterprise's carbon row: its status carbon (null: no status) with the year-on-year figures of
 * its line in the district answer (null figures without one). Field by field: the key order is part
 * of the report's SHA-256.
 */
export function reportCarbonOf(c: CarbonStatusAt | null | undefined, row: DistrictCarbonEnterprise | undefined): ReportCarbon | null {
  if (!c) return null;
  const i = c.intensity;
  return {
    year: c.year,
    ytdT: c.ytdT,
    combustionT: c.combustionT,
    processT: c.processT,
    scope2T: c.scope2T,
    greenCertificatesKwh: c.greenCertificatesKwh,
    budgetT: c.budgetT,
    share: c.share,
    pace: c.pace,
    level: c.level,
    forecastT: c.forecastT,
    gridFactor: c.gridFactor ? factorRow(c.gridFactor) : null,
    intensity: i
      ? {
          intensity: i.intensity,
          limit: i.limit,
          ratio: 'ratio' in i ? i.ratio : null,
          level: i.level,
          co2T: i.co2T,
          output10kYuan: i.output10kYuan,
          months: i.months,
          note: 'note' in i ? i.note : null,
        }
      : null,
    previousT: row?.previousT ?? null,
    changeT: row?.changeT ?? null,
    change: row?.change ?? null,
    contribution: row?.contribution ?? null,
  };
}

/** A project as the report lists it: its figures and grid factor rows (its parameter rows join the report's). */
export function reportProjectOf(p: ProjectAt): ReportProject {
  return {
    id: p.id,
    name: p.name,
    approvedTce: p.approvedTce,
    approvedCo2T: p.approvedCo2T,
    operatingFrom: p.operatingFrom,
    window: { from: p.window.from, to: p.window.to, days: p.window.days },
    months: p.months,
    windowTce: p.windowTce,
    windowCo2T: p.windowCo2T,
    combustionT: p.combustionT,
    processT: p.processT,
    scope2T: p.scope2T,
    annualTce: p.annualTce,
    annualCo2T: p.annualCo2T,
    tceShare: p.tceShare,
    co2Share: p.co2Share,
    energyLevel: p.energyLevel,
    co2Level: p.co2Level,
    level: p.level,
    note: p.note ?? null,
    gridFactors: p.gridFactors.map(factorRow),
  };
}

/** The enterprise's park with its name; null outside any park. */
export function parkOf(e: EnterpriseConfig, config: Config): EnterpriseReport['park'] {
  if (e.park === undefined) return null;
  return { id: e.park, name: config.parks.find((p) => p.id === e.park)?.name ?? e.park };
}

/** The month's energy and CO2 by park, like byIndustry; enterprises outside any park are in no group. */
export function parkTotalsOf(reports: readonly EnterpriseReport[]): Record<string, ParkTotals> {
  const byPark: Record<string, { name: string; totalTce: number; co2Kg: number; enterprises: number }> = {};
  for (const e of reports) {
    if (!e.park) continue;
    const p = (byPark[e.park.id] ??= { name: e.park.name, totalTce: 0, co2Kg: 0, enterprises: 0 });
    p.totalTce = figure(p.totalTce + e.totalTce);
    p.co2Kg = figure(p.co2Kg + e.co2Kg);
    p.enterprises++;
  }
  return byPark;
}

/** Whether the report has the carbon parts (built after issue 20) or was finalised before them. */
export function hasCarbonParts(report: MonthlyReport): boolean {
  return (
    report.carbon !== undefined ||
    report.totals.byPark !== undefined ||
    report.enterprises.some((e) => e.carbon !== undefined || e.projects !== undefined || e.park !== undefined)
  );
}

/**
 * The report as one built before the carbon parts would be: what a revision finalised then is
 * compared with, so that a recheck makes no revision only because the model gained them. The keys
 * left are in the same order as then (the new ones came last), so the content hash is the same.
 */
export function legacyView(report: MonthlyReport): MonthlyReport {
  const withoutCarbon = ({ carbon: _carbon, ...rest }: MonthlyReport) => rest;
  const withoutParks = ({ byPark: _byPark, ...totals }: MonthlyReport['totals']) => totals;
  return {
    ...withoutCarbon(report),
    totals: withoutParks(report.totals),
    enterprises: report.enterprises.map(({ park: _park, carbon: _c, projects: _p, ...e }) => e),
  };
}

/** The enterprise's own carbon row in its one-enterprise report: its share of the district change would reveal the district's. */
export function ownCarbon(e: EnterpriseReport): EnterpriseReport {
  return e.carbon ? { ...e, carbon: { ...e.carbon, contribution: null } } : e;
}
