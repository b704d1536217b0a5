/**
 * Turns accepted readings into stored readings and exact hourly consumption (contract 4).
 *
 * Fast path: a reading newer than every stored reading of its meter adds its contribution to the
 * meter's open hours in memory, and the absolute hourly values are written. Slow path: a reading
 * that is late (older than the newest stored), a correction, or anything whose contribution would
 * reach a closed hour, triggers a recomputation of exactly the hours its neighbours span, from the
 * readings in the store (read after this batch is written). Both paths use the same contribution
 * functions, and the property test checks the result against the definition.
 *
 * Meter events (contract 8.1, services/energy/meterTimeline.ts, from the registry): a reading is
 * priced with the multiplier in force at it, and the fast path never pairs readings across an
 * event (nor, for counter meters, ahead of one, where the virtual final register is); those take
 * the slow path, whose recomputation evaluates the segments exactly. recomputeMeter() rewrites a
 * span after an event is recorded or retracted.
 *
 * Day and month figures: every store.write() here (fast path, recomputation, replay with
 * `recompute`) also has the store recompute its daily rollups of the (meter, local day)s it
 * touched (inside the write or in a round after it; settled() waits for that) from what is stored (services/store/timeSeriesStore.ts), so late data and
 * corrections keep them exact without the tracker summing days itself: it only ever holds the
 * open hours (ingest/openHours.ts: the per-meter in-memory state), and a day's closed hours live
 * in the store.
 */
import { addInterval, addPair, affectedSpan, type HourTotals, type StepEvent } from '../services/energy/consumption';
import { hourlyWithEvents } from '../services/energy/consumptionWithEvents';
import type { DataQualityEvent } from '../services/energy/dataQuality';
import { usable, type Reading } from '../services/energy/reading';
import { usableReadingWindow } from '../services/energy/readingWindow';
import type { MeterRegistry, RegisteredMeter } from '../services/energy/meterRegistry';
import { hourCeil, hourFloor, HOUR_MS } from '../services/energy/time';
import type { HourlyConsumption, MeterKey, TimeSeriesStore } from '../services/store/timeSeriesStore';
import { FAR_FUTURE, keyOf, OpenHours, sample, type MeterState } from './openHours';

export type { DataQualityEvent } from '../services/energy/dataQuality';

export interface TrackResult {
  /** Readings stored (new or changed). */
  readonly stored: number;
  /** Exact repeats of stored readings, ignored (contract 2: idempotence). */
  readonly duplicates: number;
  readonly corrections: number;
  readonly late: number;
  readonly hoursWritten: number;
}

/** Changed readings less than this apart are recomputed as one span. */
const CLUSTER_GAP_MS = 24 * 3_600_000;
const same = (a: Reading, b: Reading): boolean => a.value === b.value && a.quality === b.quality;

/** The stored form of a meter's consumption in one hour (meter quantity unit in, carrier unit out). */
function hourlyOf(meter: RegisteredMeter, hour: number, quantity: number): HourlyConsumption {
  return {
    enterprise: meter.key.enterprise,
    meter: meter.key.meter,
    carrier: meter.config.carrier,
    unit: meter.factors.unit,
    hour,
    quantity: quantity * meter.factors.toCarrierUnit,
  };
}

export class ConsumptionTracker {
  private readonly states: OpenHours;
  private onEvent: ((e: DataQualityEvent) => void) | undefined;
  /** track() and recomputeMeter() run one at a time: both read and rewrite the same state and hours. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: { store: TimeSeriesStore; meters: MeterRegistry }) {
    this.states = new OpenHours(deps);
  }

  /** Forget in-memory state (after the store was changed behind our back, e.g. in tests). */
  reset(): void {
    this.states.clear();
  }

  /**
   * Stores the readings and their hourly consumption; data-quality events go to `onEvent`.
   * With `recompute`, every reading's hours are recomputed from the store even if the reading is
   * already there: for batches read again after a crash or a failed write, when the store may hold
   * the readings but not all of their hourly values.
   */
  /** Resolves once the store's rollups cover everything tracked so far (see TimeSeriesStore.settleRollups). */
  settled(): Promise<void> {
    return this.deps.store.settleRollups();
  }

  async track(readings: readonly Reading[], onEvent?: (e: DataQualityEvent) => void, options: { recompute?: boolean } = {}): Promise<TrackResult> {
    return this.exclusive(async () => {
      this.onEvent = onEvent;
      try {
        return await this.trackBatch(readings, options.recompute === true);
      } catch (err) {
        // The memory may now be ahead of the store (repeats remembered, hours added): forget it, so
        // the next attempt reloads from the store and nothing is taken for a duplicate by mistake.
        this.reset();
        throw err;
      } finally {
        this.onEvent = undefined;
      }
    });
  }

  /**
   * Rewrites every hour of [from, to) of one meter from its stored readings and its events in force
   * (after an event is recorded or retracted), and reloads the meter's in-memory state from the
   * store. Returns the number of hours written; an unconfigured meter writes none.
   *
   * With `toEnd`, the span reaches at least the meter's newest usable stored reading, looked up
   * once this holds the queue: a batch priced on the fast path before the event was known, and
   * still writing when the event was recorded, is then stored and recomputed too (never left with
   * the old multiplier). With `stepsAt` (the event's instant r), `onStep` receives the resets and
   * rollovers of the pairs around r (prev.ts <= r <= ts): those on an event's virtual registers and
   * those that a retraction leaves between stored readings, which ingest could not have reported.
   */
  async recomputeMeter(
    key: MeterKey,
    from: number,
    to: number,
    options: { toEnd?: boolean; stepsAt?: number; onStep?: (e: DataQualityEvent) => void } = {},
  ): Promise<number> {
    return this.exclusive(async () => {
      const meter = this.deps.meters.get(key);
      if (!meter) return 0;
      let until = to;
      if (options.toEnd) {
        const newest = await this.deps.store.usableNeighbour(key, FAR_FUTURE, 'before');
        if (newest) until = Math.max(until, newest.ts);
      }
      const start = hourFloor(from);
      const end = Math.max(hourCeil(until), start + HOUR_MS);
      const samples = (await usableReadingWindow(this.deps.store, meter.key, meter.model, start, end)).map(sample);
      const { onStep, stepsAt } = options;
      const totals = hourlyWithEvents(meter.model, this.deps.meters.timeline(meter.key), samples, (event, at, info) => {
        if (!onStep || stepsAt === undefined || !info.prev || info.prev.ts > stepsAt || at.ts < stepsAt) return;
        onStep({
          kind: event,
          enterprise: key.enterprise,
          meter: key.meter,
          ts: at.ts,
          detail: `${info.prev.value} -> ${at.value} around the meter event at ${new Date(stepsAt).toISOString()}${info.virtual ? " (an event's register)" : ''}`,
        });
      });
      const hourly: HourlyConsumption[] = [];
      for (let h = start; h < end; h += HOUR_MS) hourly.push(hourlyOf(meter, h, totals.get(h) ?? 0));
      try {
        await this.deps.store.write({ readings: [], hourly });
      } finally {
        // Reloaded from the store on the meter's next reading (the store is the truth now).
        this.states.forget(key);
      }
      return hourly.length;
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async trackBatch(readings: readonly Reading[], force: boolean): Promise<TrackResult> {
    const groups = new Map<string, Reading[]>();
    for (const r of readings) {
      const k = keyOf(r);
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const toWrite: Reading[] = [];
    const touched = new Map<string, Map<number, number>>();
    const slow = new Map<string, Reading[]>();
    let duplicates = 0;

    const registered = new Map<string, RegisteredMeter>();
    for (const [k, group] of groups) {
      const meter = this.deps.meters.get(group[0]!);
      if (meter) registered.set(k, meter); // decoded readings always name a configured meter
    }
    await this.states.preload([...registered.values()]);

    for (const [k, group] of groups) {
      const meter = registered.get(k);
      if (!meter) continue;
      const state = this.states.get(k)!;
      // Within one batch the last copy of a timestamp wins, as it would have arriving separately.
      const byTs = new Map<number, Reading>();
      for (const r of group) byTs.set(r.ts, r);
      const sorted = [...byTs.values()].sort((a, b) => a.ts - b.ts);
      const hours = touched.get(k) ?? new Map<number, number>();
      touched.set(k, hours);
      for (const r of sorted) {
        const seen = state.recent.get(r.ts);
        if (seen && same(seen, r) && !force) {
          duplicates++;
          continue;
        }
        if (!force && r.ts > state.lastAnyTs && this.appendFast(meter, state, r, hours)) {
          toWrite.push(r);
          continue;
        }
        const list = slow.get(k) ?? [];
        list.push(r);
        slow.set(k, list);
      }
    }

    // Slow readings: tell repeats from corrections and late arrivals against the store.
    const changed = new Map<string, { meter: RegisteredMeter; readings: Reading[] }>();
    let corrections = 0;
    let late = 0;
    for (const [k, list] of slow) {
      const meter = registered.get(k)!;
      const state = this.states.get(k)!;
      const unknown = list.filter((r) => !state.recent.has(r.ts));
      const stored = new Map<number, Reading>();
      if (unknown.length > 0)
        for (const s of await this.deps.store.readingsAt(
          meter.key,
          unknown.map((r) => r.ts),
        ))
          stored.set(s.ts, s);
      const kept: Reading[] = [];
      for (const r of list) {
        const before = state.recent.get(r.ts) ?? stored.get(r.ts);
        if (before && same(before, r)) {
          duplicates++;
          if (force) kept.push(r); // stored already; its hours are recomputed all the same
          continue;
        }
        if (before) {
          corrections++;
          this.emit({
            kind: 'correction',
            enterprise: r.enterprise,
            meter: r.meter,
            ts: r.ts,
            detail: `${before.value} (${before.quality}) -> ${r.value} (${r.quality})`,
          });
        } else if (r.ts < state.lastAnyTs) {
          late++;
          this.emit({ kind: 'late', enterprise: r.enterprise, meter: r.meter, ts: r.ts });
        }
        kept.push(r);
        this.states.remember(state, r);
        if (r.ts > state.lastAnyTs) state.lastAnyTs = r.ts;
      }
      if (kept.length > 0) {
        toWrite.push(...kept);
        changed.set(k, { meter, readings: kept });
      }
    }

    const hourly: HourlyConsumption[] = [];
    for (const [k, hours] of touched) {
      const meter = registered.get(k)!;
      for (const [h, q] of hours) hourly.push(hourlyOf(meter, h, q));
    }
    if (toWrite.length > 0 || hourly.length > 0) await this.deps.store.write({ readings: toWrite, hourly });

    let recomputed = 0;
    for (const [k, { meter, readings: list }] of changed) recomputed += await this.recompute(k, meter, list);

    return { stored: toWrite.length, duplicates, corrections, late, hoursWritten: hourly.length + recomputed };
  }

  /** In-order reading: contributions in memory. Returns false when it must take the slow path. */
  private appendFast(meter: RegisteredMeter, state: MeterState, r: Reading, hours: Map<number, number>): boolean {
    const add: HourTotals = new Map();
    let event: StepEvent | undefined;
    const timeline = this.deps.meters.timeline(meter.key);
    const decommissioned = timeline.decommissionedAt !== undefined && r.ts >= timeline.decommissionedAt;
    // Stored, but nothing of a decommissioned meter counts from its decommission on.
    const counts = usable(r) && !decommissioned;
    if (counts) {
      const model = timeline.plain ? meter.model : timeline.modelAt(meter.model, r.ts);
      const lastTs = state.lastGood?.ts ?? -Infinity;
      if (model.kind === 'counter' && timeline.cutAfter(lastTs) !== undefined) return false; // a virtual reading ahead
      if (model.kind === 'power' && timeline.cutBetween(lastTs, r.ts)) return false; // a pair across an event
      if (model.kind === 'interval') addInterval(add, model, sample(r));
      else if (state.lastGood) event = addPair(add, model, state.lastGood, sample(r));
      for (const h of add.keys()) if (h < state.watermark) return false; // reaches a closed hour
    }
    for (const [h, q] of add) {
      const total = (state.hours.get(h) ?? 0) + q;
      state.hours.set(h, total);
      hours.set(h, total); // the value to write; final once the watermark passes the hour
    }
    if (event) this.emit({ kind: event, enterprise: r.enterprise, meter: r.meter, ts: r.ts });
    state.lastAnyTs = r.ts;
    if (counts) state.lastGood = sample(r);
    this.states.remember(state, r);
    this.states.advance(meter, state);
    return true;
  }

  /** Rewrites every hour that the changed readings' contributions reach, from the stored readings. */
  private async recompute(k: string, meter: RegisteredMeter, changed: readonly Reading[]): Promise<number> {
    const { store } = this.deps;
    const model = meter.model;
    // Changed readings close together (a gateway's catch-up block) share one span, so a block
    // costs two neighbour lookups, not two per reading. Recomputing a wider span is still exact.
    const sorted = [...changed].sort((a, b) => a.ts - b.ts);
    const clusters: { first: number; last: number }[] = [];
    for (const r of sorted) {
      const c = clusters[clusters.length - 1];
      if (c && r.ts - c.last <= CLUSTER_GAP_MS) c.last = r.ts;
      else clusters.push({ first: r.ts, last: r.ts });
    }
    const spans: { from: number; to: number }[] = [];
    const timeline = this.deps.meters.timeline(meter.key);
    for (const { first, last } of clusters) {
      const prev = model.kind === 'interval' ? undefined : await store.usableNeighbour(meter.key, first, 'before');
      const next = model.kind === 'interval' ? undefined : await store.usableNeighbour(meter.key, last + 1, 'atOrAfter');
      // With no neighbour, a virtual reading at an event bounds the reading's pair instead.
      const from = affectedSpan(model, first, prev?.ts ?? timeline.cutAtOrBefore(first), undefined).from;
      const to = affectedSpan(model, last, undefined, next?.ts ?? timeline.cutAfter(last)).to;
      spans.push({ from: hourFloor(from), to: Math.max(hourCeil(to), hourFloor(from) + HOUR_MS) });
    }
    spans.sort((a, b) => a.from - b.from);
    const merged: { from: number; to: number }[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
      else merged.push({ ...s });
    }
    const changedTs = new Set(changed.map((r) => r.ts));
    const hourly: HourlyConsumption[] = [];
    for (const { from, to } of merged) {
      const totals = await this.hoursFromStore(meter, from, to, changedTs);
      for (let h = from; h < to; h += HOUR_MS) hourly.push(hourlyOf(meter, h, totals.get(h) ?? 0));
    }
    await store.write({ readings: [], hourly });

    // Re-read what the fast path needs; the store is the truth after a recomputation.
    await this.states.reload(meter, this.states.get(k)!);
    return hourly.length;
  }

  private async hoursFromStore(meter: RegisteredMeter, from: number, to: number, changedTs: ReadonlySet<number>): Promise<HourTotals> {
    const samples = (await usableReadingWindow(this.deps.store, meter.key, meter.model, from, to)).map(sample);
    return hourlyWithEvents(meter.model, this.deps.meters.timeline(meter.key), samples, (event, at, info) => {
      // A changed reading's step, also onto an event's virtual register just after it (contract 4: every reset).
      const prevChanged = info.virtual && info.prev !== undefined && changedTs.has(info.prev.ts);
      if (changedTs.has(at.ts) || prevChanged) this.emit({ kind: event, enterprise: meter.key.enterprise, meter: meter.key.meter, ts: at.ts });
    });
  }

  private emit(e: DataQualityEvent): void {
    this.onEvent?.(e);
  }
}
