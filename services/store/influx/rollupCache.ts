/**
 * Results of rollup statements (whole days and months), kept while the rollups they read are
 * unchanged. Every refresh round marks the local days it changed (InfluxDB `rollup_change`, one
 * point per day, its value the round's id); a cached result carries the marks of its days as
 * they were read before the statement ran, and is used only while they are still the same. So a
 * day changed by any process, this one or another instance writing to the same database, is
 * read again, and a closed month is read once. Pure: the store does the reading.
 */
import type { QueryRow } from './influxql';

/** Local day start -> the id of the last round that changed the day's rollups. */
export type DayMarks = ReadonlyMap<number, string>;

interface Entry {
  readonly signature: string;
  readonly rows: QueryRow[];
}

export class RollupCache {
  private readonly entries = new Map<string, Entry>();
  private rows = 0;
  hits = 0;
  misses = 0;

  /**
   * At most this many rows are kept: a district-year of per-meter months is ~72,000 (~20 MB as
   * parsed rows); two years of a district fit, and the memory stays bounded.
   */
  constructor(private readonly maxRows = 200_000) {}

  /** The marks of the days in [from, to), as one comparable string. */
  static signature(marks: DayMarks, from: number, to: number): string {
    const parts: string[] = [];
    for (const [day, round] of marks) if (day >= from && day < to) parts.push(`${day}=${round}`);
    return parts.sort().join(',');
  }

  get(statement: string, signature: string): QueryRow[] | undefined {
    const entry = this.entries.get(statement);
    if (entry === undefined || entry.signature !== signature) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last, so eviction drops the least recently used.
    this.entries.delete(statement);
    this.entries.set(statement, entry);
    return entry.rows;
  }

  set(statement: string, signature: string, rows: QueryRow[]): void {
    const old = this.entries.get(statement);
    if (old) {
      this.rows -= old.rows.length;
      this.entries.delete(statement);
    }
    if (rows.length > this.maxRows) return;
    this.entries.set(statement, { signature, rows });
    this.rows += rows.length;
    for (const [key, entry] of this.entries) {
      if (this.rows <= this.maxRows) break;
      this.entries.delete(key);
      this.rows -= entry.rows.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.rows = 0;
  }
}
