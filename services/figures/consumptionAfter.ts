/**
 * What meters recorded after an instant `at` up to the end of its day, evaluated from their
 * readings by the contract's definition (section 4) and the meter events in force (8.1), so the
 * status service can take it off the day's rollups. Only meters that reported after `at`, or whose
 * events have a cut after it (a virtual final register can reach past `at`), are read.
 */
import type { EnterpriseConfig } from '../../config/schema';
import type { TimeSeriesStore } from '../store/timeSeriesStore';
import { consumptionWithEvents } from '../energy/consumptionWithEvents';
import type { MeterRegistry } from '../energy/meterRegistry';
import { isTariffScope } from '../energy/meterScope';
import { usableReadingWindow } from '../energy/readingWindow';

export interface AfterAt {
  enterprise: string;
  carrier: string;
  unit: string;
  quantity: number;
  submeter: boolean;
  tariff: boolean;
}

/** Consumption in [at, end) of the meters that reported after `at` (contract 4 definition). */
export async function consumptionAfter(
  deps: { store: TimeSeriesStore; meters: MeterRegistry },
  enterprises: readonly EnterpriseConfig[],
  at: number,
  end: number,
): Promise<AfterAt[]> {
  const { store } = deps;
  // Only meters that reported after `at` matter: a bounded scan, not every meter's whole history.
  const late = (
    await store.latest(
      enterprises.map((e) => e.id),
      { since: at + 1 },
    )
  ).filter((l) => l.lastTs > at);
  const ids = new Set(enterprises.map((e) => e.id));
  const keys = new Map(late.map((l) => [`${l.enterprise}\u0000${l.meter}`, { enterprise: l.enterprise, meter: l.meter }]));
  for (const { key, timeline } of deps.meters.timelines.meters())
    if (ids.has(key.enterprise) && timeline.cutAfter(at) !== undefined) keys.set(`${key.enterprise}\u0000${key.meter}`, key);
  const out: AfterAt[] = [];
  for (const l of keys.values()) {
    // A meter no longer configured has no model to evaluate it by: skipped, as before.
    const meter = deps.meters.get(l);
    if (!meter) continue;
    const { config: m, factors: f } = meter;
    const samples = await usableReadingWindow(store, meter.key, meter.model, at, end);
    const timeline = deps.meters.timeline(meter.key);
    const quantity = consumptionWithEvents(meter.model, timeline, samples, at, end) * f.toCarrierUnit;
    out.push({
      enterprise: l.enterprise,
      carrier: m.carrier,
      unit: f.unit,
      quantity,
      submeter: m.submeter,
      tariff: m.carrier === 'product' || isTariffScope(m),
    });
  }
  return out;
}
