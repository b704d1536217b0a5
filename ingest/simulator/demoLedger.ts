/**
 * The demo's ledger script (issue 19, item 7): so that a fresh `npm start` shows every ledger
 * figure, the demo district goes through one meter replacement (换表) and one CT-ratio change in
 * the year, and its enterprises enter monthly statistics: output values (so intensity shows),
 * coal bought and stocked at a plant without a coal meter, green certificates at the smelter and
 * the smelter's product quantity from its 205-1 statement.
 *
 * Pure: the composition records the planned events through the ledger (once, by `demo-script`)
 * and hands the recorded ones back to the simulator, whose meters then follow them; restarts read
 * the same events, so the registers stay the same pure functions of time.
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig, MeterConfig } from '../../config/schema';
import type { FactorTable } from '../../services/energy/factors';
import type { MeterEventInput } from '../../services/energy/meterEvents';
import type { MonthlyPatch } from '../../services/energy/monthlyStatistics';
import { MeterModel, type ScriptedChange } from './meterModel';
import { hash01, integralTo, profileFor } from './profiles';

/** Who the demo's ledger facts are recorded by. */
export const DEMO_RECORDER = 'demo-script';

interface PlannedChange {
  readonly enterprise: string;
  readonly meter: string;
  readonly type: ScriptedChange['type'];
  /** Days before the first start, at this local hour. */
  readonly daysAgo: number;
  readonly localHour: number;
  readonly multiplier?: number;
  readonly note: string;
}

/** cem01's main meter is replaced by a new one from 0; chem01's CT ratio goes from 60 to 80. */
const PLAN: readonly PlannedChange[] = [
  { enterprise: 'cem01', meter: 'e-main', type: 'replace', daysAgo: 100, localHour: 10, note: '换表：熟料线总电能表更换为新表（示例）' },
  {
    enterprise: 'chem01',
    meter: 'e-main',
    type: 'multiplier',
    daysAgo: 45,
    localHour: 0,
    multiplier: 80,
    note: '电流互感器更换，倍率 60 → 80（示例）',
  },
];

/** Target intensity ratios of the demo enterprises (in config order): green, yellow, green, red. */
const INTENSITY_RATIOS = [0.88, 0.97, 0.92, 1.04];

/**
 * Process CO2 of the smelter's carbon anodes, t CO2 per t of aluminium, entered monthly as the
 * plant's own accounting (processCo2T, contract 8.3): net anode use ~0.41 t/t x ~98 % carbon x 44/12
 * (aluminium-smelting GHG guideline method; illustrative figures [R]).
 */
export const DEMO_ANODE_T_CO2_PER_T = 1.47;

export interface DemoMeterEvent {
  readonly enterprise: string;
  readonly meter: string;
  readonly event: MeterEventInput;
}

function findMeter(config: Config, enterprise: string, meter: string): { e: EnterpriseConfig; m: MeterConfig } | undefined {
  const e = config.enterprises.find((x) => x.id === enterprise);
  const m = e?.meters.find((x) => x.id === meter && x.kind === 'counter');
  return e && m ? { e, m } : undefined;
}

function utcOffsetMs(config: Config, at: number): number {
  return DateTime.fromMillis(at, { zone: config.timezone }).offset * 60_000;
}

/**
 * The events the demo records at its first start (`now`), with the registers its simulated meters
 * show at those instants. Meters the configuration does not have are skipped.
 */
export function plannedDemoEvents(config: Config, now: number): DemoMeterEvent[] {
  const out: DemoMeterEvent[] = [];
  for (const p of PLAN) {
    const found = findMeter(config, p.enterprise, p.meter);
    if (!found) continue;
    const { e, m } = found;
    const day = DateTime.fromMillis(now, { zone: config.timezone }).startOf('day').minus({ days: p.daysAgo });
    const interval = m.intervalSeconds * 1000;
    const at = Math.ceil(day.plus({ hours: p.localHour }).toMillis() / interval) * interval;
    const change: ScriptedChange = { type: p.type, at, ...(p.multiplier !== undefined && { multiplier: p.multiplier }) };
    const model = new MeterModel({ enterprise: e, meter: m, utcOffsetMs: utcOffsetMs(config, at), resets: false, changes: [change] });
    const event: MeterEventInput =
      p.type === 'replace'
        ? { type: 'replace', at, oldFinalRegister: model.registerBefore(at), newInitialRegister: 0, note: p.note }
        : { type: 'multiplier', at, register: model.registerAt(at), multiplier: p.multiplier ?? m.multiplier, note: p.note };
    out.push({ enterprise: e.id, meter: m.id, event });
  }
  return out;
}

/** The recorded demo events as the changes the simulated meters go through, by `enterprise/meter`. */
export function scriptedChanges(events: readonly { enterprise: string; meter: string; event: MeterEventInput }[]): Map<string, ScriptedChange[]> {
  const out = new Map<string, ScriptedChange[]>();
  for (const { enterprise, meter, event } of events) {
    if (event.type !== 'replace' && event.type !== 'multiplier') continue;
    const change: ScriptedChange =
      event.type === 'replace'
        ? {
            type: 'replace',
            at: event.at,
            newInitialRegister: event.newInitialRegister,
            ...(event.multiplier !== undefined && { multiplier: event.multiplier }),
          }
        : { type: 'multiplier', at: event.at, multiplier: event.multiplier };
    const key = `${enterprise}/${meter}`;
    out.set(
      key,
      [...(out.get(key) ?? []), change].sort((a, b) => a.at - b.at),
    );
  }
  return out;
}

export interface DemoMonth {
  readonly enterprise: string;
  readonly month: string;
  readonly patch: MonthlyPatch;
}

/** Quantity a simulated meter records over [from, to), in its carrier's unit (interval noise averages out). */
function meteredQuantity(e: EnterpriseConfig, m: MeterConfig, from: number, to: number, offset: number, toCarrierUnit: number): number {
  const profile = profileFor(e, m);
  return (integralTo(profile, to + offset) - integralTo(profile, from + offset)) * toCarrierUnit;
}

/**
 * Monthly statistics for every complete month of `now`'s year (and `yearsBack` years before it, so
 * that year-on-year figures of the demo include what is only entered, issue 21): output values giving each
 * enterprise its target intensity ratio, raw coal at pha01 (bought, opening and closing stock),
 * green certificates (5 % of grid electricity), the anodes' process CO2 and the entered
 * liquid-aluminium quantity (the metered one within ±0.6 %, as a 205-1 statement differs from the
 * scale) at alu01.
 */
export function demoMonthlyStatistics(config: Config, factors: FactorTable, now: number, yearsBack = 0): DemoMonth[] {
  const zone = config.timezone;
  const out: DemoMonth[] = [];
  const nowLocal = DateTime.fromMillis(now, { zone });
  config.enterprises.forEach((e, index) => {
    for (let month = nowLocal.startOf('year').minus({ years: yearsBack }); month.plus({ months: 1 }) <= nowLocal; month = month.plus({ months: 1 })) {
      const from = month.toMillis();
      const to = month.plus({ months: 1 }).toMillis();
      const offset = utcOffsetMs(config, from);
      const key = month.toFormat('yyyy-MM');
      let intensityTce = 0;
      let gridKwh = 0;
      let anodeCo2T = 0;
      const products: Record<string, { quantity: number; unit: string }> = {};
      for (const m of e.meters) {
        const f = factors.meter(m);
        if (!f || m.submeter) continue;
        const q = meteredQuantity(e, m, from, to, offset, f.toCarrierUnit);
        if (f.intensity) intensityTce += (q * f.kgcePerUnit) / 1000;
        if (m.carrier === 'electricity') gridKwh += q;
        if (m.carrier === 'product' && m.product !== undefined && e.id === 'alu01') {
          products[m.product] = { quantity: round(q * (1 + 0.012 * (hash01(e.id, key, 'product') - 0.5)), 3), unit: f.unit };
          anodeCo2T += q * DEMO_ANODE_T_CO2_PER_T;
        }
      }
      const patch: { -readonly [K in keyof MonthlyPatch]: MonthlyPatch[K] } = { note: '示例数据（演示脚本录入）' };
      if (e.id === 'pha01' && !e.meters.some((m) => m.carrier === 'raw_coal')) {
        const openingStock = round(180 + 60 * hash01(e.id, key, 'open'), 1);
        const closingStock = round(180 + 60 * hash01(e.id, month.plus({ months: 1 }).toFormat('yyyy-MM'), 'open'), 1);
        const purchased = round(420 + 80 * hash01(e.id, key, 'coal'), 1);
        patch.carriers = { raw_coal: { unit: 't', purchased, openingStock, closingStock } };
        intensityTce += ((purchased + openingStock - closingStock) * (factors.carrier('raw_coal', 't')?.kgcePerUnit ?? 0)) / 1000;
      }
      const limit = e.quotas.find((q) => q.year === month.year)?.intensityLimit;
      if (limit !== undefined && intensityTce > 0) {
        const ratio = INTENSITY_RATIOS[index % INTENSITY_RATIOS.length]! * (0.98 + 0.04 * hash01(e.id, key, 'output'));
        patch.outputValue10kYuan = round(intensityTce / (limit * ratio), 1);
        patch.valueAdded10kYuan = round(patch.outputValue10kYuan * 0.27, 1);
      }
      if (e.id === 'alu01') {
        patch.greenCertificatesKwh = Math.round(gridKwh * 0.05);
        if (Object.keys(products).length > 0) patch.products = products;
        if (anodeCo2T > 0) patch.processCo2T = round(anodeCo2T, 1);
      }
      out.push({ enterprise: e.id, month: key, patch });
    }
  });
  return out;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
