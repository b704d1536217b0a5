/**
 * District carbon (contract 9, "District"): CO2 by part year to date at t for the district, its
 * industries and parks, against the same period a year earlier; the district's carbon intensity,
 * its change over the same months and the required pace; each enterprise's contribution. Built
 * from two statuses (t and the same instant a year earlier), so every figure is the status's own.
 * Decisions: docs/carbon.md, "District carbon".
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../config/schema';
import { enterprisesIn } from './enterpriseSelection';
import { contributions, intensityChange, parkIndicator, requiredPace, yearOnYear, type RequiredPaceFigures } from '../energy/districtCarbon';
import { countsInEnergyUse } from '../energy/energyUse';
import type { FactorTable } from '../energy/factors';
import { isoInZone, yearBounds } from '../energy/time';
import { industryName } from '../energy/industries';
import type { Co2Change, Co2Parts, DistrictCarbon, DistrictCarbonEnterprise, DistrictCarbonPark, DistrictCarbonSource } from './districtCarbonTypes';
import { factorsOfYear } from './factorYear';
import { monthsWithOutput } from './intensityFigures';
import { ParametersUsed } from './parametersUsed';
import { figure, figureFields } from './precision';
import type { StatusDetail, StatusService } from './statusService';

/** The figures of one enterprise this year and last, before they are grouped. */
interface Row {
  readonly e: EnterpriseConfig;
  readonly parts: Co2Parts;
  readonly previousT: number;
  readonly tce: number;
  readonly tceEquivalent: number;
  readonly greenCertificatesKwh: number;
}

const NO_PARTS: Co2Parts = { totalT: 0, combustionT: 0, processT: 0, scope2T: 0 };

export class DistrictCarbonService implements DistrictCarbonSource {
  constructor(private readonly deps: { config: Config; status: Pick<StatusService, 'detailAt'>; factors: FactorTable }) {}

  async districtCarbon(input: { enterprises: readonly string[]; year: number; at: number; endOf?: boolean }): Promise<DistrictCarbon> {
    const { config } = this.deps;
    const zone = config.timezone;
    const enterprises = enterprisesIn(config, input.enterprises);
    const { at, endOf } = instantOf(input, zone);
    const ref = endOf ? at - 1 : at;
    const { start: yearStart, year } = yearBounds(ref, zone);
    const previousAt = DateTime.fromMillis(at, { zone }).minus({ years: 1 }).toMillis();
    const [current, previous] = await Promise.all([
      this.deps.status.detailAt(enterprises, at, { endOf }),
      this.deps.status.detailAt(enterprises, previousAt, { endOf }),
    ]);
    const factors = factorsOfYear(this.deps.factors, year);
    const used = new ParametersUsed();
    const rows: Row[] = enterprises.map((e) => {
      const now = current.get(e.id);
      const before = previous.get(e.id);
      used.add(now?.status.parameters ?? []);
      used.add(before?.status.parameters ?? []);
      let tce = 0;
      let tceEquivalent = 0;
      for (const c of now?.status.ytdByCarrier ?? []) {
        if (c.dualControl) tce += c.tce;
        // The parks' indicators set CO2 against all the energy used, on the equivalent basis (energyUse.ts).
        if (countsInEnergyUse(c.carrier, c.dualControl))
          tceEquivalent += (c.quantity * (factors.carrier(c.carrier, c.unit)?.equivalentKgcePerUnit ?? 0)) / 1000;
      }
      const carbon = now?.status.carbon;
      const parts = carbon ? { totalT: carbon.ytdT, combustionT: carbon.combustionT, processT: carbon.processT, scope2T: carbon.scope2T } : NO_PARTS;
      return { e, parts, previousT: before?.status.carbon?.ytdT ?? 0, tce, tceEquivalent, greenCertificatesKwh: carbon?.greenCertificatesKwh ?? 0 };
    });
    const totals = change(rows);
    const shares = contributions(new Map(rows.map((r) => [r.e.id, r.parts.totalT - r.previousT])), totals.changeT);
    const intensity = districtIntensity(enterprises, current, previous, at, previousAt, zone);
    const fraction = endOf
      ? Math.min(1, (at - yearStart) / (yearBounds(ref, zone).end - yearStart))
      : (at - yearStart) / (yearBounds(at, zone).end - yearStart);
    const grid = factors.carrier('electricity', 'kWh')?.kgCo2Row;
    return {
      year,
      at: isoInZone(at, zone),
      timezone: zone,
      from: isoInZone(yearStart, zone),
      to: isoInZone(at, zone),
      previous: { from: isoInZone(yearBounds(previousAt - (endOf ? 1 : 0), zone).start, zone), to: isoInZone(previousAt, zone) },
      totals: { ...totals, greenCertificatesKwh: figure(rows.reduce((s, r) => s + r.greenCertificatesKwh, 0)) },
      byIndustry: Object.fromEntries(
        groupBy(rows, (r) => r.e.industry)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([code, members]) => [code, { name: industryName(code), ...change(members) }]),
      ),
      byPark: config.parks.flatMap((p) => {
        const members = rows.filter((r) => r.e.park === p.id);
        return members.length === 0 ? [] : [park(p, members, fraction)];
      }),
      intensity: intensity.current,
      yearOnYear: {
        co2: { current: totals.totalT, previous: totals.previousT, changeT: totals.changeT, change: totals.change },
        intensity: intensity.yearOnYear,
      },
      requiredPace: rounded(requiredPace(intensity.previousRaw, intensity.yearOnYear.change, config.rules.carbon.intensityReduction)),
      enterprises: rows.map((r) => ({
        ...enterpriseRow(r, shares.get(r.e.id) ?? null, current.get(r.e.id), intensity.byEnterprise.get(r.e.id) ?? null),
        intensityYearOnYear: intensity.yearOnYearOf.get(r.e.id) ?? null,
      })),
      gridFactor: grid ? { value: grid.value, ...(grid.year !== undefined && { year: grid.year }), source: grid.source } : null,
      parameters: used.list(),
    };
  }
}

/**
 * The instant of the figures: `at`, or the end of `year` once that year has ended by `at` (a
 * past year is shown whole). A year after `at` has no figures yet: refused.
 */
function instantOf(input: { year: number; at: number; endOf?: boolean }, zone: string): { at: number; endOf: boolean } {
  const ref = input.endOf ? input.at - 1 : input.at;
  const atYear = yearBounds(ref, zone).year;
  if (input.year > atYear) throw new RangeError(`year ${input.year} is after the instant ${isoInZone(input.at, zone)}`);
  if (input.year === atYear) return { at: input.at, endOf: input.endOf ?? false };
  return { at: DateTime.fromObject({ year: input.year + 1 }, { zone }).toMillis(), endOf: true };
}

function change(rows: readonly Row[]): Co2Change {
  const sum = (f: (r: Row) => number) => figure(rows.reduce((s, r) => s + f(r), 0));
  const totalT = sum((r) => r.parts.totalT);
  const previousT = sum((r) => r.previousT);
  const yoy = yearOnYear(totalT, previousT);
  return {
    totalT,
    combustionT: sum((r) => r.parts.combustionT),
    processT: sum((r) => r.parts.processT),
    scope2T: sum((r) => r.parts.scope2T),
    previousT,
    changeT: figure(yoy.changeT),
    change: yoy.change,
    tce: sum((r) => r.tce),
  };
}

function park(p: { id: string; name: string }, members: readonly Row[], fraction: number): DistrictCarbonPark {
  const figures = change(members);
  const tceEquivalent = figure(members.reduce((s, r) => s + r.tceEquivalent, 0));
  const annual = fraction > 0 ? figure(tceEquivalent / fraction) : null;
  return {
    id: p.id,
    name: p.name,
    enterprises: members.map((r) => r.e.id),
    ...figures,
    tceEquivalent,
    annualTceEquivalent: annual,
    ...parkIndicator({ co2T: figures.totalT, tceEquivalent, annualTceEquivalent: annual ?? 0 }),
  };
}

function enterpriseRow(
  r: Row,
  contribution: number | null,
  detail: StatusDetail | undefined,
  intensity: number | null,
): Omit<DistrictCarbonEnterprise, 'intensityYearOnYear'> {
  const carbon = detail?.status.carbon;
  const yoy = yearOnYear(r.parts.totalT, r.previousT);
  return {
    id: r.e.id,
    name: r.e.name,
    industry: r.e.industry,
    park: r.e.park ?? null,
    ...r.parts,
    previousT: r.previousT,
    changeT: figure(yoy.changeT),
    change: yoy.change,
    tce: figure(r.tce),
    contribution,
    greenCertificatesKwh: r.greenCertificatesKwh,
    budget: carbon?.budgetT != null ? { budgetT: carbon.budgetT, share: carbon.share, pace: carbon.pace, level: carbon.level } : null,
    intensity,
    intensityLimit: carbon?.intensity?.limit ?? null,
  };
}

/**
 * The district's carbon intensity over each enterprise's complete months with output (with or
 * without a limit), and the same ratio over the months whose counterpart a year earlier also has
 * an output value, against those months a year earlier (like for like).
 */
function districtIntensity(
  enterprises: readonly EnterpriseConfig[],
  current: ReadonlyMap<string, StatusDetail>,
  previous: ReadonlyMap<string, StatusDetail>,
  at: number,
  previousAt: number,
  zone: string,
) {
  const sums = { co2T: 0, output: 0, pairedCo2T: 0, pairedOutput: 0, previousCo2T: 0, previousOutput: 0 };
  const months: Record<string, string[]> = {};
  const paired: Record<string, string[]> = {};
  const byEnterprise = new Map<string, number | null>();
  const yearOnYearOf = new Map<string, DistrictCarbonEnterprise['intensityYearOnYear']>();
  for (const e of enterprises) {
    const now = current.get(e.id);
    if (!now) continue;
    const used = monthsWithOutput(now.records, at, zone);
    const before = new Map(monthsWithOutput(previous.get(e.id)?.records ?? [], previousAt, zone).map((r) => [r.month, r]));
    const output = used.reduce((s, r) => s + (r.outputValue10kYuan ?? 0), 0);
    const co2T = used.length > 0 ? now.co2Over(used.map((r) => r.month)).totalT : 0;
    sums.co2T += co2T;
    sums.output += output;
    byEnterprise.set(e.id, output > 0 ? figure(co2T / output) : null);
    if (used.length > 0) months[e.id] = used.map((r) => r.month);
    const pairs = used.filter((r) => before.has(yearEarlier(r.month)));
    if (pairs.length === 0) continue;
    const pairedMonths = pairs.map((r) => r.month);
    paired[e.id] = pairedMonths;
    sums.pairedCo2T += now.co2Over(pairedMonths).totalT;
    sums.pairedOutput += pairs.reduce((s, r) => s + (r.outputValue10kYuan ?? 0), 0);
    const earlier = pairs.map((r) => yearEarlier(r.month));
    const own = {
      co2T: now.co2Over(pairedMonths).totalT,
      output: pairs.reduce((s, r) => s + (r.outputValue10kYuan ?? 0), 0),
      previousCo2T: previous.get(e.id)?.co2Over(earlier).totalT ?? 0,
      previousOutput: earlier.reduce((s, m) => s + (before.get(m)?.outputValue10kYuan ?? 0), 0),
    };
    sums.previousCo2T += own.previousCo2T;
    sums.previousOutput += own.previousOutput;
    const cur = ratioOf(own.co2T, own.output);
    const prev = ratioOf(own.previousCo2T, own.previousOutput);
    yearOnYearOf.set(e.id, { current: figure(cur), previous: figure(prev), change: intensityChange(cur, prev), months: pairedMonths });
  }
  // Ratios from the unrounded sums; the change too, so the rounding of the two intensities cannot move it.
  const ratio = ratioOf;
  const currentPaired = ratio(sums.pairedCo2T, sums.pairedOutput);
  const previousPaired = ratio(sums.previousCo2T, sums.previousOutput);
  return {
    current: { intensity: figure(ratio(sums.co2T, sums.output)), co2T: figure(sums.co2T), output10kYuan: figure(sums.output), months },
    yearOnYear: {
      current: figure(currentPaired),
      previous: figure(previousPaired),
      change: intensityChange(currentPaired, previousPaired),
      ...figureFields({
        co2T: sums.pairedCo2T,
        output10kYuan: sums.pairedOutput,
        previousCo2T: sums.previousCo2T,
        previousOutput10kYuan: sums.previousOutput,
      }),
      months: paired,
    },
    byEnterprise,
    yearOnYearOf,
    previousRaw: previousPaired,
  };
}

function rounded(pace: RequiredPaceFigures): RequiredPaceFigures {
  return { ...pace, targetIntensity: figure(pace.targetIntensity) };
}

function ratioOf(co2: number, output: number): number | null {
  return output > 0 ? co2 / output : null;
}

function yearEarlier(month: string): string {
  const [y, m] = month.split('-');
  return `${Number(y) - 1}-${m}`;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m];
}
