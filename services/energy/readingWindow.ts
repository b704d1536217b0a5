/**
 * The readings one meter's consumption over [from, to) is evaluated from (contract 4), in one
 * place for the consumption tracker's recomputations and the status service's "after `at`": the
 * usable readings in the span and, for counter and power meters, the nearest usable reading on
 * either side (a pair of readings spans the edge); an interval meter's reading covers the interval
 * before it, so its readings are read up to one interval past `to`. The store is reached through
 * the narrow port below (services/store/timeSeriesStore.ts implements it); the domain does no I/O
 * of its own.
 */
import type { MeterModel } from './consumption';
import type { MeterRef } from './meterScope';
import { usable, type Reading } from './reading';

/** The part of the time-series store this needs. */
export interface ReadingHistory {
  readings(key: MeterRef, from: number, to: number): Promise<Reading[]>;
  usableNeighbour(key: MeterRef, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined>;
}

/** The usable readings, in time order, that the consumption of `key` over [from, to) depends on. */
export async function usableReadingWindow(history: ReadingHistory, key: MeterRef, model: MeterModel, from: number, to: number): Promise<Reading[]> {
  const interval = model.kind === 'interval';
  const readTo = interval ? to + model.intervalMs + 1 : to;
  const out: Reading[] = [];
  if (!interval) {
    const before = await history.usableNeighbour(key, from, 'before');
    if (before) out.push(before);
  }
  for (const r of await history.readings(key, from, readTo)) if (usable(r)) out.push(r);
  if (!interval) {
    const after = await history.usableNeighbour(key, readTo, 'atOrAfter');
    if (after) out.push(after);
  }
  return out;
}
