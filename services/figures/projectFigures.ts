/**
 * Energy-review projects at an instant (contract 9.1): each project's actual energy (tce, 当量值) and
 * CO2 over its window (services/energy/projectWindow.ts), from the store's consumption of the
 * project's meters only, annualised, with the alarm levels. Decisions: docs/carbon.md, "Projects and
 * carbon alarms".
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig, ProjectConfig } from '../../config/schema';
import type { FactorTable } from '../energy/factors';
import type { ParameterRow } from '../energy/parameterRow';
import { addCo2, co2OfPeriod, processFactorsOf, type CarrierQuantity, type Co2ByPart, type ProductQuantity } from '../energy/carbon';
import { projectFigures, projectWindow, type ProjectFigures } from '../energy/projectWindow';
import { isoInZone } from '../energy/time';
import type { ConsumptionRow, TimeSeriesStore } from '../store/timeSeriesStore';
import { dataYear, factorsOfYear } from './factorYear';
import { ParametersUsed } from './parametersUsed';
import { figure } from './precision';

/** A factor row as the answers and alarm texts show it. */
export interface FactorRowAt {
  readonly value: number;
  readonly year?: number;
  readonly source: string;
}

export interface ProjectAt extends Omit<ProjectFigures, 'days'> {
  readonly id: string;
  readonly name: string;
  readonly approvedTce: number;
  readonly approvedCo2T: number | null;
  readonly operatingFrom: string;
  /** [from, to) in the site zone, ISO-8601 with the offset; from = to for a project not yet operating. */
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  /** The calendar months the window touches, YYYY-MM, oldest first (the first may be partial). */
  readonly months: string[];
  /** Window totals: tce on the equivalent basis (当量值) and CO2 by part, t. */
  readonly windowTce: number;
  readonly windowCo2T: number;
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
  /** The grid factor rows of the window's data years (one, or two over a new year); empty without electricity. */
  readonly gridFactors: FactorRowAt[];
  /** Every factor row used, with year and source (contract 8.2). */
  readonly parameters: ParameterRow[];
}

export interface EnterpriseProjects {
  readonly enterprise: string;
  readonly at: string;
  readonly timezone: string;
  readonly projects: ProjectAt[];
}

/**
 * What counts in a project's energy: every energy carrier but feedstock (原料用能) and renewable
 * electricity, which the dual-control total leaves out since 2024 and an energy review deducts
 * likewise; products are output. Carriers made on site (steam from the site's boiler) do count:
 * the project meter measures what the line takes in, and the boiler's fuel is not a project meter.
 */
function countsAsProjectEnergy(carrier: string): boolean {
  return carrier !== 'product' && carrier !== 'renewable_electricity' && !carrier.startsWith('feedstock_');
}

export class ProjectFiguresService {
  constructor(private readonly deps: { store: TimeSeriesStore; config: Config; factors: FactorTable }) {}

  /** The projects of `enterprises` at `at`; an enterprise without projects answers an empty list. */
  async projectsAt(enterprises: readonly EnterpriseConfig[], at: number): Promise<Map<string, EnterpriseProjects>> {
    const zone = this.deps.config.timezone;
    const out = new Map<string, EnterpriseProjects>();
    await Promise.all(
      enterprises.map(async (e) => {
        const projects = await Promise.all(e.projects.map((p) => this.projectAt(e, p, at)));
        out.set(e.id, { enterprise: e.id, at: isoInZone(at, zone), timezone: zone, projects });
      }),
    );
    // In the order asked, whatever order the queries finished in.
    return new Map(enterprises.map((e) => [e.id, out.get(e.id)!]));
  }

  private async projectAt(e: EnterpriseConfig, p: ProjectConfig, at: number): Promise<ProjectAt> {
    const zone = this.deps.config.timezone;
    const w = projectWindow(at, p.operatingFrom, zone);
    const rows = w.days === 0 ? { carriers: [], products: [] } : await this.windowRows(e, p, w.start, w.end);
    const used = new ParametersUsed();
    // By data year (contract 8.2): each year's quantities with that year's factors, then added.
    const years = new Map<number, { carriers: CarrierQuantity[]; products: ProductQuantity[]; tce: number }>();
    const yearOf = (time: number) => {
      const y = dataYear(time, zone);
      let entry = years.get(y);
      if (!entry) years.set(y, (entry = { carriers: [], products: [], tce: 0 }));
      return { y, entry };
    };
    for (const r of rows.carriers) {
      const { y, entry } = yearOf(r.time);
      const f = factorsOfYear(this.deps.factors, y).carrier(r.carrier, r.unit);
      if (!f) continue;
      // Every carrier counts in CO2 (feedstock in processT, contract 9); only the line's energy in tce.
      entry.carriers.push({ quantity: r.quantity, factors: f });
      if (countsAsProjectEnergy(r.carrier)) entry.tce += (r.quantity * f.equivalentKgcePerUnit) / 1000;
      used.addCarrier(f);
    }
    for (const r of rows.products) yearOf(r.time).entry.products.push({ product: r.product, quantity: r.quantity, unit: r.unit });
    const processFactors = processFactorsOf(e);
    let co2: Co2ByPart | undefined;
    let tce = 0;
    for (const [year, entry] of [...years].sort((a, b) => a[0] - b[0])) {
      // No green certificates and no entered process CO2: enterprise figures a line cannot claim.
      const part = co2OfPeriod({ dataYear: year, carriers: entry.carriers, products: entry.products, processFactors });
      co2 = co2 ? addCo2(co2, part) : part;
      tce += entry.tce;
    }
    if (co2) used.add(co2.rows);
    const figures = projectFigures({
      approvedTce: p.approvedTce,
      ...(p.approvedCo2T !== undefined && { approvedCo2T: p.approvedCo2T }),
      windowTce: tce,
      windowCo2T: co2?.totalT ?? 0,
      window: w,
    });
    const { days, ...levels } = figures;
    const gridFactors = (co2?.rows ?? [])
      .filter((r) => r.key.startsWith('kgCO2/electricity/'))
      .map((r) => ({ value: r.value, ...(r.year !== undefined && { year: r.year }), source: r.source }));
    return {
      id: p.id,
      name: p.name,
      approvedTce: p.approvedTce,
      approvedCo2T: p.approvedCo2T ?? null,
      operatingFrom: p.operatingFrom,
      window: { from: isoInZone(w.start, zone), to: isoInZone(w.end, zone), days },
      months: monthsOf(w.start, w.end, zone),
      ...levels,
      annualTce: figure(levels.annualTce),
      annualCo2T: figure(levels.annualCo2T),
      windowTce: figure(tce),
      windowCo2T: figure(co2?.totalT ?? 0),
      combustionT: figure(co2?.combustionT ?? 0),
      processT: figure(co2?.processT ?? 0),
      scope2T: figure(co2?.scope2T ?? 0),
      gridFactors,
      parameters: used.list(),
    };
  }

  /**
   * Daily buckets of the project's meters over [from, to): a window may start on any day
   * (operatingFrom), and days carry their data year. Product meters are asked per product, as the
   * store sums by carrier and each product has its own process factor. Sub-meters count: a project
   * line is usually one, and the meters are named, so nothing is counted twice.
   */
  private async windowRows(
    e: EnterpriseConfig,
    p: ProjectConfig,
    from: number,
    to: number,
  ): Promise<{ carriers: ConsumptionRow[]; products: (ConsumptionRow & { product: string })[] }> {
    const { store, config } = this.deps;
    const own = new Set(p.meters);
    const meters = e.meters.filter((m) => own.has(m.id));
    const query = (ids: readonly string[]) =>
      store.consumption({
        enterprises: [e.id],
        from,
        to,
        every: '1d',
        zone: config.timezone,
        meters: ids.map((meter) => ({ enterprise: e.id, meter })),
      });
    const energy = meters.filter((m) => m.carrier !== 'product').map((m) => m.id);
    const byProduct = new Map<string, string[]>();
    for (const m of meters)
      if (m.carrier === 'product' && m.product !== undefined) byProduct.set(m.product, [...(byProduct.get(m.product) ?? []), m.id]);
    const [carriers, ...products] = await Promise.all([
      energy.length > 0 ? query(energy) : Promise.resolve([]),
      ...[...byProduct].map(async ([product, ids]) => (await query(ids)).map((r) => ({ ...r, product }))),
    ]);
    return { carriers: carriers ?? [], products: products.flat() };
  }
}

/** YYYY-MM of every month [from, to) touches; none for an empty window. */
function monthsOf(from: number, to: number, zone: string): string[] {
  const months: string[] = [];
  for (let m = DateTime.fromMillis(from, { zone }).startOf('month'); m.toMillis() < to; m = m.plus({ months: 1 })) months.push(m.toFormat('yyyy-MM'));
  return months;
}
