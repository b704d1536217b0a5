/**
 * Cross-references of the carbon configuration (contract 9, 9.1) that the schema cannot express:
 * parks named by enterprises, process-emission products, project meters. Decisions: docs/carbon.md.
 */
import type { Config, EnterpriseConfig } from './schema';
import type { ReferenceProblem } from './references';
import { conversionFactor } from './units';

/** Problems with `key` listed twice in `items`, pointing at the second and later ones. */
function duplicates<T>(items: readonly T[], key: (t: T) => string, at: (i: number) => (string | number)[], what: string): ReferenceProblem[] {
  const seen = new Set<string>();
  const out: ReferenceProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) out.push({ path: at(i), message: `duplicate ${what} "${k}"` });
    seen.add(k);
  });
  return out;
}

/**
 * A process factor is per unit of a product. A product a meter measures takes the meter's unit (a
 * given unit must convert to it); a product entered only in the monthly statistics has no meter
 * to take it from, so `unit` is required there, which also catches a misspelt product name.
 */
function processEmissionProblems(e: EnterpriseConfig, i: number): ReferenceProblem[] {
  const metered = new Map<string, string>();
  for (const m of e.meters) if (m.carrier === 'product' && m.product !== undefined && !metered.has(m.product)) metered.set(m.product, m.unit);
  const problems = duplicates(
    e.processEmissions,
    (p) => p.product,
    (j) => ['enterprises', i, 'processEmissions', j, 'product'],
    'process-emission product',
  );
  e.processEmissions.forEach((p, j) => {
    const path = ['enterprises', i, 'processEmissions', j];
    const meterUnit = metered.get(p.product);
    if (meterUnit === undefined && p.unit === undefined) {
      const names = [...metered.keys()];
      problems.push({
        path: [...path, 'product'],
        message: `no product meter of ${e.id} measures "${p.product}"${names.length > 0 ? ` (metered: ${names.join(', ')})` : ''}; for a product entered only in the monthly statistics, give the unit tCo2PerUnit is per`,
      });
    } else if (meterUnit !== undefined && p.unit !== undefined && conversionFactor(p.unit, meterUnit) === undefined) {
      problems.push({
        path: [...path, 'unit'],
        message: `unit "${p.unit}" does not convert to the unit of the meter measuring ${p.product} ("${meterUnit}")`,
      });
    }
  });
  return problems;
}

/**
 * Project meters are meters of the same enterprise. A product meter is allowed: its output carries
 * the line's process CO2 (processEmissions), which for a clinker line is most of its CO2. A meter
 * counts for one project at most: a shared meter could not be attributed, and counting it twice
 * would overstate both projects. Sub-meters are allowed (a project line is usually a sub-meter of
 * the site's main meter).
 */
function projectProblems(e: EnterpriseConfig, i: number): ReferenceProblem[] {
  /** Meter id -> index of the project it already counts for. */
  const owner = new Map<string, number>();
  const problems = duplicates(
    e.projects,
    (p) => p.id,
    (j) => ['enterprises', i, 'projects', j, 'id'],
    `project id in ${e.id}`,
  );
  e.projects.forEach((p, j) => {
    p.meters.forEach((meterId, k) => {
      const path = ['enterprises', i, 'projects', j, 'meters', k];
      const other = owner.get(meterId);
      if (!e.meters.some((m) => m.id === meterId)) problems.push({ path, message: `unknown meter "${meterId}" of ${e.id}` });
      else if (other !== undefined)
        problems.push({
          path,
          message:
            other === j
              ? `meter "${meterId}" is listed twice`
              : `meter "${meterId}" already counts for project "${e.projects[other]?.id}" (projects[${other}]): a meter belongs to one project`,
        });
      else owner.set(meterId, j);
    });
  });
  return problems;
}

export function checkCarbonReferences(config: Config): ReferenceProblem[] {
  const parkIds = new Set(config.parks.map((p) => p.id));
  const problems = duplicates(
    config.parks,
    (p) => p.id,
    (i) => ['parks', i, 'id'],
    'park id',
  );
  config.enterprises.forEach((e, i) => {
    if (e.park !== undefined && !parkIds.has(e.park))
      problems.push({
        path: ['enterprises', i, 'park'],
        message: `unknown park "${e.park}"${parkIds.size > 0 ? ` (parks: ${[...parkIds].join(', ')})` : '; parks are listed under the top-level parks key'}`,
      });
    problems.push(...processEmissionProblems(e, i), ...projectProblems(e, i));
  });
  return problems;
}
