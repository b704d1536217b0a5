/**
 * Records monthly statistics entered by hand (contract 8.3): checks a patch against the enterprise's
 * configuration and the factor table, stores it as a new version, and announces the change on the
 * event bus so that every figure depending on the month is recomputed (status, rules, reports).
 */
import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../config/schema';
import { conversionFactor } from '../../config/units';
import { AppError, NotFoundError } from '../core/errors';
import { enteredConsumption, type MonthlyFields, type MonthlyPatch, type MonthlyRecord } from '../energy/monthlyStatistics';
import type { EventBus } from '../events/eventBus';
import { applyPatch, fieldsOf, type MonthlyStatisticsStore } from '../store/state/monthlyStatisticsStore';
import type { PatchProblem } from './monthlyPatchSchema';

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A patch that is well formed but refused (422); `problems` names every one. */
export class MonthlyStatisticsRejected extends AppError {
  constructor(
    message: string,
    readonly problems: readonly PatchProblem[],
    context: Record<string, unknown> = {},
  ) {
    super('unprocessable', `${message}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`, {
      context: { ...context, problems },
    });
  }
}

/** The part of the factor table this needs: does a carrier in a unit have a coefficient? */
export interface CarrierCatalogue {
  carrier(carrier: string, unit: string): object | undefined;
}

export interface MonthlyEntry {
  readonly enterprise: string;
  readonly month: string;
  readonly patch: MonthlyPatch;
}

export class MonthlyStatisticsService {
  private readonly enterprises: ReadonlyMap<string, EnterpriseConfig>;

  constructor(
    private readonly deps: {
      store: MonthlyStatisticsStore;
      config: Config;
      factors: CarrierCatalogue;
      events?: EventBus;
      now: () => number;
    },
  ) {
    this.enterprises = new Map(deps.config.enterprises.map((e) => [e.id, e]));
  }

  get zone(): string {
    return this.deps.config.timezone;
  }

  knows(id: string): boolean {
    return this.enterprises.has(id);
  }

  enterprise(id: string): EnterpriseConfig {
    const e = this.enterprises.get(id);
    if (!e) throw new NotFoundError(`enterprise ${id}`);
    return e;
  }

  /** Carriers the enterprise meters (any meter but product meters): these cannot be entered. */
  meteredCarriers(id: string): Set<string> {
    return new Set(
      this.enterprise(id)
        .meters.filter((m) => m.carrier !== 'product')
        .map((m) => m.carrier),
    );
  }

  /** Products the enterprise meters, with the meter's unit. */
  /** The unit of the enterprise's process-emission factor for `product`, if it has one (its own unit, else its meter's). */
  private processUnit(id: string, product: string): string | undefined {
    const e = this.enterprises.get(id);
    const p = e?.processEmissions.find((x) => x.product === product);
    return p && (p.unit ?? e?.meters.find((m) => m.carrier === 'product' && m.product === product)?.unit);
  }

  meteredProducts(id: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.enterprise(id).meters) if (m.carrier === 'product' && m.product !== undefined) out.set(m.product, m.unit);
    return out;
  }

  /** Every reason the stored record after `patch` would be refused; empty when it may be stored. */
  problems(enterpriseId: string, month: string, patch: MonthlyPatch): PatchProblem[] {
    const problems: PatchProblem[] = [];
    if (!MONTH_PATTERN.test(month)) return [{ field: 'month', message: `expected YYYY-MM, got "${month}"` }];
    const thisMonth = DateTime.fromMillis(this.deps.now(), { zone: this.zone }).toFormat('yyyy-MM');
    // The current month may be entered (figures known so far); a month that has not started may not.
    if (month > thisMonth) problems.push({ field: 'month', message: `${month} is in the future (the site's current month is ${thisMonth})` });
    const metered = this.meteredCarriers(enterpriseId);
    for (const [carrier, c] of Object.entries(patch.carriers ?? {})) {
      const field = `carriers.${carrier}`;
      if (carrier === 'product') problems.push({ field, message: 'products are entered under products, not carriers' });
      else if (metered.has(carrier)) problems.push({ field, message: `${enterpriseId} meters ${carrier}; a metered carrier cannot also be entered` });
      // Any unit the coefficient's converts from (raw coal in kg or t): figures convert it first (enteredFigures.ts).
      else if (!this.deps.factors.carrier(carrier, c.unit)) problems.push({ field, message: `no coefficient for ${carrier} in ${c.unit}` });
      const consumption = enteredConsumption(c);
      if (consumption < 0)
        problems.push({
          field,
          message: `purchased + openingStock - closingStock = ${c.purchased} + ${c.openingStock} - ${c.closingStock} = ${consumption} is negative`,
        });
    }
    const productUnits = this.meteredProducts(enterpriseId);
    for (const [product, p] of Object.entries(patch.products ?? {})) {
      const meterUnit = productUnits.get(product);
      // The entered figure replaces the metered one: it must be in a unit the meter's converts to.
      // A product no meter measures may be counted in any unit (t, 万块, ...).
      if (meterUnit !== undefined && conversionFactor(p.unit, meterUnit) === undefined)
        problems.push({ field: `products.${product}`, message: `unit ${p.unit} does not convert to the meter's ${meterUnit}` });
      // A product with a process-emission factor is priced per unit of that factor (contract 9): 200 万块 of lime cannot be.
      const processUnit = this.processUnit(enterpriseId, product);
      if (processUnit !== undefined && conversionFactor(p.unit, processUnit) === undefined)
        problems.push({
          field: `products.${product}`,
          message: `unit ${p.unit} does not convert to ${processUnit}, the unit of its process-emission factor`,
        });
    }
    return problems;
  }

  /** Checks and stores one patch as a new version; announces the change. */
  async record(enterpriseId: string, month: string, patch: MonthlyPatch, by: string): Promise<MonthlyRecord> {
    this.enterprise(enterpriseId);
    const problems = this.problems(enterpriseId, month, patch);
    if (problems.length > 0) throw new MonthlyStatisticsRejected(`monthly statistics of ${enterpriseId} for ${month} refused`, problems);
    const record = await this.deps.store.put(enterpriseId, month, patch, by, this.deps.now());
    this.announce(enterpriseId, month);
    return record;
  }

  /**
   * Stores several entries in one transaction, after every one passed `problems` (the caller checks,
   * to place problems in its own terms). Entries that change nothing make no version. Answers the new versions.
   */
  async recordAll(entries: readonly MonthlyEntry[], by: string): Promise<MonthlyRecord[]> {
    const changed: MonthlyEntry[] = [];
    for (const e of entries) if (await this.changes(e)) changed.push(e);
    const records = await this.deps.store.putAll(changed, by, this.deps.now());
    for (const r of records) this.announce(r.enterprise, r.month);
    return records;
  }

  /** Whether applying the entry's patch would change the stored fields. */
  async changes(entry: MonthlyEntry): Promise<boolean> {
    const current: MonthlyFields = fieldsOf((await this.deps.store.current(entry.enterprise, entry.month)) ?? {});
    return !isDeepStrictEqual(current, applyPatch(current, entry.patch));
  }

  async current(enterpriseId: string, month: string): Promise<MonthlyRecord | undefined> {
    return this.deps.store.current(enterpriseId, month);
  }

  async history(enterpriseId: string, month: string): Promise<MonthlyRecord[]> {
    return this.deps.store.history(enterpriseId, month);
  }

  async records(enterpriseIds: readonly string[], fromMonth: string, toMonth: string): Promise<MonthlyRecord[]> {
    return this.deps.store.records(enterpriseIds, fromMonth, toMonth);
  }

  private announce(enterprise: string, month: string): void {
    const from = DateTime.fromFormat(month, 'yyyy-MM', { zone: this.zone }).toMillis();
    this.deps.events?.emit('ledgerChanged', { kind: 'monthly-statistics', enterprise, from });
  }
}
