/**
 * The change marks of the rollups (`rollup_change`): per local day, the id of the last round that
 * changed its rollups, written by every refresh round and rebuild after its rollups, read before
 * every rollup statement. They are what lets RollupCache keep a result while its days are unchanged
 * by any process, this one or another instance writing to the same database.
 */
import { randomUUID } from 'node:crypto';
import { Point } from '@influxdata/influxdb-client';
import { numberColumn, quoteString, stringColumn } from './influxql';
import type { InfluxPointWriter } from './influxPointWriter';
import type { InfluxQueryClient } from './influxQueryClient';
import { ROLLUP_CHANGE, timeRange } from './influxSchema';

export class RollupMarks {
  /** Marks being read: concurrent callers asking for the same range share one read. */
  private readonly inFlight = new Map<string, Promise<Map<number, string>>>();
  /** Round ids are this process's id and a sequence number, unique across instances. */
  private readonly instanceId = randomUUID().slice(0, 8);
  private roundSeq = 0;

  constructor(private readonly deps: { readonly query: InfluxQueryClient; readonly writer: InfluxPointWriter }) {}

  /** The change marks of the local days in [from, to); concurrent callers of the same range share one read. */
  read(zone: string, from: number, to: number, roundsDone: number): Promise<Map<number, string>> {
    // Keyed by the rounds done too: a caller that waited for a newer round must not take marks
    // read before it (they would hit results cached before its write).
    const key = `${roundsDone}\u0000${zone}\u0000${from}\u0000${to}`;
    let marks = this.inFlight.get(key);
    if (marks === undefined) {
      marks = this.deps.query
        .query(`SELECT "round" FROM ${this.deps.query.from(ROLLUP_CHANGE)} WHERE zone = ${quoteString(zone)} AND ${timeRange(from, to)}`)
        .then(([rows = []]) => new Map(rows.map((r) => [numberColumn(r, 'time'), stringColumn(r, 'round')])))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, marks);
    }
    return marks;
  }

  /** Marks these local days as changed by a new round of this process (after their rollups are written). */
  async markChanged(zone: string, days: Iterable<number>): Promise<void> {
    const round = `${this.instanceId}:${++this.roundSeq}`;
    await this.deps.writer.send(
      [...new Set(days)].map((day) => new Point(ROLLUP_CHANGE).tag('zone', zone).stringField('round', round).timestamp(day)),
    );
  }
}
