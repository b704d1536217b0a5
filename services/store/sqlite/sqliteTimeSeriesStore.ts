/**
 * The embedded time-series adapter (SQLite through better-sqlite3), the default when INFLUX_URL is
 * unset. Hourly rows carry the start of their local day in the site zone, computed at write time,
 * so day and month totals are grouped inside SQLite instead of in Node.
 *
 * Daily rollups (timeSeriesStore.ts): `consumption_daily` (sum of a meter's hours per local day)
 * and `reading_daily` (usable readings per meter and local day), recomputed for the touched
 * (meter, day) pairs inside the write's own transaction, so they can never disagree with the
 * hours and readings. The meta key `rollups` records the zone they were built for.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from './sqliteFile';
import type { Quality, Reading } from '../../energy/reading';
import { bucketStart } from '../../energy/time';
import { DayCalendar, splitDays, touchedDays, type DaySplit } from '../dailyRollup';
import type {
  ConsumptionQuery,
  ConsumptionRow,
  HourlyConsumption,
  LatestOptions,
  LatestReading,
  MeterKey,
  ReadingCount,
  RollupRebuild,
  StoreHealth,
  TimeSeriesStore,
  WriteBatch,
} from '../timeSeriesStore';
import { meterKeyId } from '../timeSeriesStore';

export interface SqliteTimeSeriesOptions {
  /** Database file; ':memory:' for tests. */
  readonly path: string;
  /** Site time zone for the day column. */
  readonly zone: string;
}

interface ReadingRow {
  enterprise: string;
  meter: string;
  ts: number;
  value: number;
  quality: string;
}
interface HourRow {
  enterprise: string;
  meter: string;
  carrier: string;
  unit: string;
  hour: number;
  quantity: number;
}

/** Bump when the rollups' meaning changes: start() then rebuilds them. */
const ROLLUP_VERSION = 1;

const QUALITIES: ReadonlySet<string> = new Set(['good', 'uncertain', 'bad']);
const toReading = (r: ReadingRow): Reading => ({
  enterprise: r.enterprise,
  meter: r.meter,
  ts: r.ts,
  value: r.value,
  quality: (QUALITIES.has(r.quality) ? r.quality : 'bad') as Quality,
});

export class SqliteTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private readonly dayCache = new Map<number, number>();
  private readonly calendar: DayCalendar;

  constructor(private readonly options: SqliteTimeSeriesOptions) {
    this.calendar = new DayCalendar(options.zone);
  }

  async start(): Promise<void> {
    const db = openSqlite(
      this.options.path,
      `
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
      CREATE TABLE IF NOT EXISTS consumption_daily (
        enterprise TEXT NOT NULL, meter TEXT NOT NULL, day INTEGER NOT NULL, carrier TEXT NOT NULL, unit TEXT NOT NULL, quantity REAL NOT NULL,
        PRIMARY KEY (enterprise, meter, day, carrier, unit)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS consumption_daily_by_day ON consumption_daily (enterprise, day);
      CREATE TABLE IF NOT EXISTS reading_daily (
        enterprise TEXT NOT NULL, meter TEXT NOT NULL, day INTEGER NOT NULL, usable INTEGER NOT NULL,
        PRIMARY KEY (enterprise, meter, day)) WITHOUT ROWID;
    `,
    );
    this.db = db;
    this.rebuildDaysIfZoneChanged();
    // Data written before the rollups existed, or under another zone: roll it up once.
    const built = db.prepare("SELECT value FROM meta WHERE key = 'rollups'").pluck().get() as string | undefined;
    if (built !== `${ROLLUP_VERSION} ${this.options.zone}`) await this.rebuildRollups();
  }

  async stop(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async health(): Promise<StoreHealth> {
    if (!this.db?.open) return { ok: false, kind: this.kind, detail: 'not started' };
    return { ok: true, kind: this.kind, version: `sqlite ${this.conn().prepare('select sqlite_version() v').pluck().get() as string}` };
  }

  /** Rollups are refreshed inside write()'s transaction: nothing is ever pending. */
  settleRollups(): Promise<void> {
    return Promise.resolve();
  }

  async write(batch: WriteBatch): Promise<void> {
    const db = this.conn();
    const putReading = db.prepare('INSERT OR REPLACE INTO reading (enterprise, meter, ts, value, quality) VALUES (?, ?, ?, ?, ?)');
    const putHour = db.prepare(
      'INSERT OR REPLACE INTO consumption (enterprise, meter, hour, carrier, unit, quantity, day) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const r of batch.readings) putReading.run(r.enterprise, r.meter, r.ts, r.value, r.quality);
      for (const h of batch.hourly) putHour.run(h.enterprise, h.meter, h.hour, h.carrier, h.unit, h.quantity, this.dayOf(h.hour));
      this.refreshRollups(batch);
    })();
  }

  /** Recomputes the rollups of the (meter, day) pairs the batch touched; runs inside write()'s transaction. */
  private refreshRollups(batch: WriteBatch): void {
    const db = this.conn();
    const touched = touchedDays(batch, this.calendar);
    const clear = db.prepare('DELETE FROM consumption_daily WHERE enterprise = ? AND meter = ? AND day = ?');
    const sum = db.prepare(`INSERT INTO consumption_daily (enterprise, meter, day, carrier, unit, quantity)
        SELECT enterprise, meter, day, carrier, unit, SUM(quantity) FROM consumption WHERE enterprise = ? AND meter = ? AND day = ? GROUP BY carrier, unit`);
    for (const [day, meters] of touched.hours) {
      for (const m of meters.values()) {
        clear.run(m.enterprise, m.meter, day);
        sum.run(m.enterprise, m.meter, day);
      }
    }
    const count = db.prepare(`INSERT OR REPLACE INTO reading_daily (enterprise, meter, day, usable)
        SELECT ?, ?, ?, COUNT(*) FROM reading WHERE enterprise = ? AND meter = ? AND ts >= ? AND ts < ? AND quality != 'bad'`);
    for (const [day, meters] of touched.readings) {
      const next = this.calendar.nextDay(day);
      for (const m of meters.values()) count.run(m.enterprise, m.meter, day, m.enterprise, m.meter, day, next);
    }
  }

  async rebuildRollups(range?: { from: number; to: number }): Promise<RollupRebuild> {
    const started = Date.now();
    const db = this.conn();
    const calendar = this.calendar;
    db.function('local_day', { deterministic: true }, (ts: unknown) => calendar.dayOf(Number(ts)));
    // Whole local days only: a range is widened outward to the days it touches.
    const from = range === undefined ? -8.64e15 : calendar.dayOf(range.from);
    const to = range === undefined ? 8.64e15 : calendar.nextDay(calendar.dayOf(range.to - 1));
    const counts = db.transaction(() => {
      db.prepare('DELETE FROM consumption_daily WHERE day >= ? AND day < ?').run(from, to);
      db.prepare('DELETE FROM reading_daily WHERE day >= ? AND day < ?').run(from, to);
      const c = db
        .prepare(
          `INSERT INTO consumption_daily (enterprise, meter, day, carrier, unit, quantity)
          SELECT enterprise, meter, day, carrier, unit, SUM(quantity) FROM consumption WHERE day >= ? AND day < ? GROUP BY enterprise, meter, day, carrier, unit`,
        )
        .run(from, to);
      const n = db
        .prepare(
          `INSERT INTO reading_daily (enterprise, meter, day, usable)
          SELECT enterprise, meter, local_day(ts) AS d, COUNT(*) FROM reading WHERE ts >= ? AND ts < ? AND quality != 'bad' GROUP BY enterprise, meter, d`,
        )
        .run(from, to);
      if (range === undefined)
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups', ?)").run(`${ROLLUP_VERSION} ${this.options.zone}`);
      return { consumptionRows: c.changes, countRows: n.changes };
    })();
    const days = db.prepare('SELECT COUNT(DISTINCT day) FROM consumption_daily WHERE day >= ? AND day < ?').pluck().get(from, to) as number;
    return { ...(range !== undefined && { from, to }), days, ...counts, ms: Date.now() - started };
  }

  async readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    const rows = this.conn()
      .prepare('SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts >= ? AND ts < ? ORDER BY ts')
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
    const sql =
      direction === 'before'
        ? "SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts < ? AND quality != 'bad' ORDER BY ts DESC LIMIT 1"
        : "SELECT * FROM reading WHERE enterprise = ? AND meter = ? AND ts >= ? AND quality != 'bad' ORDER BY ts ASC LIMIT 1";
    const row = this.conn().prepare(sql).get(key.enterprise, key.meter, ts) as ReadingRow | undefined;
    return row ? toReading(row) : undefined;
  }

  async latest(enterprises: readonly string[], options: LatestOptions = {}): Promise<LatestReading[]> {
    if (enterprises.length === 0) return [];
    const db = this.conn();
    const marks = enterprises.map(() => '?').join(',');
    const since = options.since ?? -8.64e15;
    const last = db
      .prepare(`SELECT enterprise, meter, MAX(ts) AS ts FROM reading WHERE enterprise IN (${marks}) AND ts >= ? GROUP BY enterprise, meter`)
      .all(...enterprises, since) as { enterprise: string; meter: string; ts: number }[];
    const good = db
      .prepare(
        `SELECT r.* FROM reading r JOIN (
        SELECT enterprise, meter, MAX(ts) AS ts FROM reading WHERE enterprise IN (${marks}) AND ts >= ? AND quality != 'bad' GROUP BY enterprise, meter
      ) g ON r.enterprise = g.enterprise AND r.meter = g.meter AND r.ts = g.ts`,
      )
      .all(...enterprises, since) as ReadingRow[];
    const goodBy = new Map(good.map((g) => [meterKeyId(g.enterprise, g.meter), toReading(g)]));
    return last.map((l) => {
      const lastGood = goodBy.get(meterKeyId(l.enterprise, l.meter));
      return lastGood
        ? { enterprise: l.enterprise, meter: l.meter, lastTs: l.ts, lastGood }
        : { enterprise: l.enterprise, meter: l.meter, lastTs: l.ts };
    });
  }

  async hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    return this.conn()
      .prepare(
        'SELECT enterprise, meter, carrier, unit, hour, quantity FROM consumption WHERE enterprise = ? AND meter = ? AND hour >= ? AND hour < ? ORDER BY hour',
      )
      .all(key.enterprise, key.meter, from, to) as HourRow[];
  }

  async consumption(q: ConsumptionQuery): Promise<ConsumptionRow[]> {
    if (q.enterprises.length === 0 || q.from >= q.to) return [];
    const bucket = q.every === '1h' ? 'hour' : 'day';
    let meterFilter = '';
    const meterParams: (string | number)[] = [];
    if (q.meters) {
      if (q.meters.length === 0) return [];
      meterFilter = ` AND (enterprise, meter) IN (VALUES ${q.meters.map(() => '(?, ?)').join(', ')})`;
      for (const m of q.meters) meterParams.push(m.enterprise, m.meter);
    }
    if (q.excludeMeters && q.excludeMeters.length > 0) {
      meterFilter += ` AND (enterprise, meter) NOT IN (VALUES ${q.excludeMeters.map(() => '(?, ?)').join(', ')})`;
      for (const m of q.excludeMeters) meterParams.push(m.enterprise, m.meter);
    }
    const enterprises = q.enterprises.map(() => '?').join(',');
    // Filter on hour (the exact instant) so that [from, to) cuts at the hours the caller asked for.
    const fromHours = (range: readonly [number, number]): ConsumptionRow[] =>
      this.conn()
        .prepare(
          `SELECT enterprise, carrier, unit, ${bucket} AS time, SUM(quantity) AS quantity
        FROM consumption WHERE enterprise IN (${enterprises}) AND hour >= ? AND hour < ?${meterFilter}
        GROUP BY enterprise, carrier, unit, ${bucket} ORDER BY time`,
        )
        .all(...q.enterprises, range[0], range[1], ...meterParams) as ConsumptionRow[];
    // Whole local days come from the rollup, the partial days at the edges from the hours.
    const split = this.daySplit(q);
    const rows =
      split === undefined
        ? fromHours([q.from, q.to])
        : [
            ...(split.head ? fromHours(split.head) : []),
            ...(split.days
              ? (this.conn()
                  .prepare(
                    `SELECT enterprise, carrier, unit, day AS time, SUM(quantity) AS quantity
            FROM consumption_daily WHERE enterprise IN (${enterprises}) AND day >= ? AND day < ?${meterFilter}
            GROUP BY enterprise, carrier, unit, day ORDER BY time`,
                  )
                  .all(...q.enterprises, split.days[0], split.days[1], ...meterParams) as ConsumptionRow[])
              : []),
            ...(split.tail ? fromHours(split.tail) : []),
          ];
    if (q.every === '1h') return rows;
    const sums = new Map<string, { enterprise: string; carrier: string; unit: string; time: number; quantity: number }>();
    for (const r of rows) {
      const time = q.every === '1mo' ? bucketStart(r.time, '1mo', q.zone) : r.time;
      const k = `${r.enterprise}\u0000${r.carrier}\u0000${r.unit}\u0000${time}`;
      const m = sums.get(k);
      if (m) m.quantity += r.quantity;
      else sums.set(k, { enterprise: r.enterprise, carrier: r.carrier, unit: r.unit, time, quantity: r.quantity });
    }
    return [...sums.values()].sort((a, b) => a.time - b.time);
  }

  /** Day and month queries in the store's zone read whole days from the rollup. */
  private daySplit(q: { every: ConsumptionQuery['every']; zone: string; from: number; to: number }): DaySplit | undefined {
    if (q.every === '1h' || q.zone !== this.options.zone) return undefined;
    return splitDays(q.from, q.to, this.calendar);
  }

  async countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    if (enterprises.length === 0 || from >= to) return [];
    const marks = enterprises.map(() => '?').join(',');
    const raw = (range: readonly [number, number]): ReadingCount[] =>
      this.conn()
        .prepare(
          `SELECT enterprise, meter, COUNT(*) AS count FROM reading
        WHERE enterprise IN (${marks}) AND ts >= ? AND ts < ? AND quality != 'bad' GROUP BY enterprise, meter`,
        )
        .all(...enterprises, range[0], range[1]) as ReadingCount[];
    const split = this.daySplit({ every: '1d', zone: this.options.zone, from, to });
    if (split === undefined) return raw([from, to]);
    const counts = new Map<string, { enterprise: string; meter: string; count: number }>();
    const add = (rows: readonly ReadingCount[]): void => {
      for (const r of rows) {
        const k = meterKeyId(r.enterprise, r.meter);
        const c = counts.get(k);
        if (c) c.count += r.count;
        else counts.set(k, { enterprise: r.enterprise, meter: r.meter, count: r.count });
      }
    };
    if (split.head) add(raw(split.head));
    if (split.days) {
      add(
        this.conn()
          .prepare(
            `SELECT enterprise, meter, SUM(usable) AS count FROM reading_daily
          WHERE enterprise IN (${marks}) AND day >= ? AND day < ? GROUP BY enterprise, meter`,
          )
          .all(...enterprises, split.days[0], split.days[1]) as ReadingCount[],
      );
    }
    if (split.tail) add(raw(split.tail));
    // Meters with no usable reading in the range are absent, as from the raw count.
    return [...counts.values()].filter((c) => c.count > 0);
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
        // The rollups' days moved with the zone: start() rebuilds them.
        db.prepare("DELETE FROM meta WHERE key = 'rollups'").run();
      })();
    }
  }
}
