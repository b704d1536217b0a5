/**
 * The embedded time-series adapter (SQLite through better-sqlite3), the default when INFLUX_URL is
 * unset. Hourly rows carry the start of their local day in the site zone, computed at write time,
 * so day and month totals are grouped inside SQLite instead of in Node.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from './sqliteFile';
import type { Quality, Reading } from '../energy/reading';
import { bucketStart } from '../energy/time';
import type {
  ConsumptionQuery, ConsumptionRow, HourlyConsumption, LatestReading, MeterKey, ReadingCount, StoreHealth, TimeSeriesStore, WriteBatch,
} from './timeSeriesStore';

export interface SqliteTimeSeriesOptions {
  /** Database file; ':memory:' for tests. */
  readonly path: string;
  /** Site time zone for the day column. */
  readonly zone: string;
}

interface ReadingRow { enterprise: string; meter: string; ts: number; value: number; quality: string }
interface HourRow { enterprise: string; meter: string; carrier: string; unit: string; hour: number; quantity: number }

const QUALITIES: ReadonlySet<string> = new Set(['good', 'uncertain', 'bad']);
const toReading = (r: ReadingRow): Reading => ({
  enterprise: r.enterprise, meter: r.meter, ts: r.ts, value: r.value, quality: (QUALITIES.has(r.quality) ? r.quality : 'bad') as Quality,
});

export class SqliteTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private readonly dayCache = new Map<number, number>();

  constructor(private readonly options: SqliteTimeSeriesOptions) {}

  async start(): Promise<void> {
    const db = openSqlite(this.options.path, `
      CREATE TABLE IF NOT EXISTS reading (
        enterprise TEXT NOT NULL, meter TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, quality TEXT NOT NULL,
        PRIMARY KEY (enterprise, meter, ts)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS consumption (
        enterprise TEXT NOT NULL, meter TEXT NOT NULL, hour INTEGER NOT NULL, carrier TEXT NOT NULL, unit TEXT NOT NULL,
        quantity REAL NOT NULL, day INTEGER NOT NULL,
        PRIMARY KEY (enterprise, meter, hour)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS consumption_by_day ON consumption (enterprise, day);
      CREATE INDEX IF NOT EXISTS consumption_by_hour ON consumption (enterprise, hour);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.db = db;
    this.rebuildDaysIfZoneChanged();
  }

  async stop(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async health(): Promise<StoreHealth> {
    if (!this.db?.open) return { ok: false, kind: this.kind, detail: 'not started' };
    return { ok: true, kind: this.kind, version: `sqlite ${this.conn().prepare('select sqlite_version() v').pluck().get() as string}` };
  }

  async write(batch: WriteBatch): Promise<void> {
    const db = this.conn();
    const putReading = db.prepare('INSERT OR REPLACE INTO reading (enterprise, meter, ts, value, quality) VALUES (?, ?, ?, ?, ?)');
    const putHour = db.prepare('INSERT OR REPLACE INTO consumption (enterprise, meter, hour, carrier, unit, quantity, day) VALUES (?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const r of batch.readings) putReading.run(r.enterprise, r.meter, r.ts, r.value, r.quality);
      for (const h of batch.hourly) putHour.run(h.enterprise, h.meter, h.hour, h.carrier, h.unit, h.quantity, this.dayOf(h.hour));
    })();
  }

  async readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    const rows = this.conn().prepare('SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts >= ? AND ts < ? ORDER BY ts')
      .all(key.enterprise, key.meter, from, to) as ReadingRow[];
    return rows.map(toReading);
  }

  async readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]> {
    if (timestamps.length === 0) return [];
    const stmt = this.conn().prepare('SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts = ?');
    const out: Reading[] = [];
    for (const ts of [...new Set(timestamps)].sort((a, b) => a - b)) {
      const row = stmt.get(key.enterprise, key.meter, ts) as ReadingRow | undefined;
      if (row) out.push(toReading(row));
    }
    return out;
  }

  async usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined> {
    const sql = direction === 'before'
      ? "SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts < ? AND quality != 'bad' ORDER BY ts DESC LIMIT 1"
      : "SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts >= ? AND quality != 'bad' ORDER BY ts ASC LIMIT 1";
    const row = this.conn().prepare(sql).get(key.enterprise, key.meter, ts) as ReadingRow | undefined;
    return row ? toReading(row) : undefined;
  }

  async latest(enterprises: readonly string[]): Promise<LatestReading[]> {
    if (enterprises.length === 0) return [];
    const db = this.conn();
    const marks = enterprises.map(() => '?').join(',');
    const last = db.prepare(`SELECT enterprise, meter, MAX(ts) AS ts FROM reading WHERE enterprise IN (${marks}) GROUP BY enterprise, meter`)
      .all(...enterprises) as { enterprise: string; meter: string; ts: number }[];
    const good = db.prepare(`SELECT r.* FROM reading r JOIN (
        SELECT enterprise, meter, MAX(ts) AS ts FROM reading WHERE enterprise IN (${marks}) AND quality != 'bad' GROUP BY enterprise, meter
      ) g ON r.enterprise = g.enterprise AND r.meter = g.meter AND r.ts = g.ts`).all(...enterprises) as ReadingRow[];
    const goodBy = new Map(good.map((g) => [`${g.enterprise}\u0000${g.meter}`, toReading(g)]));
    return last.map((l) => {
      const lastGood = goodBy.get(`${l.enterprise}\u0000${l.meter}`);
      return lastGood ? { enterprise: l.enterprise, meter: l.meter, lastTs: l.ts, lastGood } : { enterprise: l.enterprise, meter: l.meter, lastTs: l.ts };
    });
  }

  async hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    return this.conn().prepare('SELECT enterprise, meter, carrier, unit, hour, quantity FROM consumption WHERE enterprise = ? AND meter = ? AND hour >= ? AND hour < ? ORDER BY hour')
      .all(key.enterprise, key.meter, from, to) as HourRow[];
  }

  async consumption(q: ConsumptionQuery): Promise<ConsumptionRow[]> {
    if (q.enterprises.length === 0) return [];
    const bucket = q.every === '1h' ? 'hour' : 'day';
    const params: (string | number)[] = [...q.enterprises, q.from, q.to];
    let meterFilter = '';
    if (q.meters) {
      if (q.meters.length === 0) return [];
      meterFilter = ` AND (enterprise, meter) IN (VALUES ${q.meters.map(() => '(?, ?)').join(', ')})`;
      for (const m of q.meters) params.push(m.enterprise, m.meter);
    }
    if (q.excludeMeters && q.excludeMeters.length > 0) {
      meterFilter += ` AND (enterprise, meter) NOT IN (VALUES ${q.excludeMeters.map(() => '(?, ?)').join(', ')})`;
      for (const m of q.excludeMeters) params.push(m.enterprise, m.meter);
    }
    // Filter on hour (the exact instant) so that [from, to) cuts at the hours the caller asked for.
    const rows = this.conn().prepare(`SELECT enterprise, carrier, unit, ${bucket} AS time, SUM(quantity) AS quantity FROM consumption
        WHERE enterprise IN (${q.enterprises.map(() => '?').join(',')}) AND hour >= ? AND hour < ?${meterFilter}
        GROUP BY enterprise, carrier, unit, ${bucket} ORDER BY time`).all(...params) as ConsumptionRow[];
    if (q.every !== '1mo') return rows;
    const months = new Map<string, { enterprise: string; carrier: string; unit: string; time: number; quantity: number }>();
    for (const r of rows) {
      const time = bucketStart(r.time, '1mo', q.zone);
      const k = `${r.enterprise}\u0000${r.carrier}\u0000${r.unit}\u0000${time}`;
      const m = months.get(k);
      if (m) m.quantity += r.quantity;
      else months.set(k, { enterprise: r.enterprise, carrier: r.carrier, unit: r.unit, time, quantity: r.quantity });
    }
    return [...months.values()].sort((a, b) => a.time - b.time);
  }

  async countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    if (enterprises.length === 0) return [];
    return this.conn().prepare(`SELECT enterprise, meter, COUNT(*) AS count FROM reading
        WHERE enterprise IN (${enterprises.map(() => '?').join(',')}) AND ts >= ? AND ts < ? AND quality != 'bad' GROUP BY enterprise, meter`)
      .all(...enterprises, from, to) as ReadingCount[];
  }

  private conn(): Database.Database {
    if (!this.db) throw new Error('SqliteTimeSeriesStore used before start()');
    return this.db;
  }

  private dayOf(hour: number): number {
    let day = this.dayCache.get(hour);
    if (day === undefined) {
      day = bucketStart(hour, '1d', this.options.zone);
      if (this.dayCache.size > 100_000) this.dayCache.clear();
      this.dayCache.set(hour, day);
    }
    return day;
  }

  /** The day column depends on the zone; if the configured zone changed, recompute it once. */
  private rebuildDaysIfZoneChanged(): void {
    const db = this.conn();
    const stored = db.prepare("SELECT value FROM meta WHERE key = 'zone'").pluck().get() as string | undefined;
    if (stored !== this.options.zone) {
      db.function('local_day', (hour: unknown) => this.dayOf(Number(hour)));
      db.transaction(() => {
        db.exec('UPDATE consumption SET day = local_day(hour)');
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('zone', ?)").run(this.options.zone);
      })();
    }
  }
}
