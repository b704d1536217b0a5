/**
 * consumption(): consumption summed per enterprise, carrier and unit in calendar buckets of the
 * site zone, from the rollups where they are complete (RollupReads) and the hours elsewhere, with
 * the sums of each part kept per filter while the part's days are unchanged.
 */
import { bucketStart } from '../../energy/time';
import type { RangePart } from '../dailyRollup';
import { meterKeyId, type ConsumptionQuery, type ConsumptionRow } from '../timeSeriesStore';
import { numberColumn, optionalNumberColumn, quoteString, regexAlternation, stringColumn, type QueryRow } from './influxql';
import type { InfluxQueryClient } from './influxQueryClient';
import { CONSUMPTION_AT, MAX_METER_TERMS, metersFilter, TAG_ENTERPRISE, TAG_METER, timeRange } from './influxSchema';
import type { RollupReads } from './rollupReads';

/** Day parts at most this long are read as points, not grouped (see statement in consumption()). */
const RECENT_POINTS_MS = 2 * 86_400_000 + 3_600_000;

/** A sum per enterprise, carrier, unit and bucket. */
interface PartSum {
  readonly enterprise: string;
  readonly carrier: string;
  readonly unit: string;
  readonly time: number;
  quantity: number;
}

export class ConsumptionReads {
  /** Per-part sums by filter, marks and statement (see consumption()). */
  private readonly sumsCache = new Map<string, Map<string, PartSum>>();

  constructor(
    private readonly settings: { readonly sumsCacheEntries: number },
    private readonly deps: { readonly query: InfluxQueryClient; readonly rollups: RollupReads },
  ) {}

  async consumption(query: ConsumptionQuery): Promise<ConsumptionRow[]> {
    const { enterprises, from, to, every, zone, meters, excludeMeters = [] } = query;
    if (enterprises.length === 0 || from >= to || (meters !== undefined && meters.length === 0)) return [];
    const { rollups } = this.deps;
    const measurement = (level: RangePart['level']): string => this.deps.query.from(CONSUMPTION_AT[level]);
    // InfluxDB evaluates a tag condition against every series it opens: a list of thousands of
    // meters (a district's tariff scope) took 15 s where the same statement without it took 1.5 s.
    // Long lists are therefore applied here, on rows grouped by meter, instead of in the WHERE.
    const inNode = (meters?.length ?? 0) + excludeMeters.length > MAX_METER_TERMS;
    let meterFilter = '';
    if (!inNode) {
      if (meters !== undefined) meterFilter += ` AND ${metersFilter(meters)}`;
      // InfluxQL has no NOT: "not (e = a AND m = b)" is written "(e != a OR m != b)".
      for (const m of excludeMeters)
        meterFilter += ` AND (${TAG_ENTERPRISE} != ${quoteString(m.enterprise)} OR ${TAG_METER} != ${quoteString(m.meter)})`;
    }
    // Plain string keys: this loop sees ~80,000 point rows for a district-year (JSON.stringify keys
    // and an object spread per row were most of a warm report's time in the profile).
    const only = meters === undefined ? undefined : new Set(meters.map((m) => meterKeyId(m.enterprise, m.meter)));
    const without = new Set(excludeMeters.map((m) => meterKeyId(m.enterprise, m.meter)));
    // Hours are UTC hours (bucketStart '1h'), so no tz() there: in a half-hour zone tz() would shift them.
    const group = every === '1h' ? 'time(1h)' : 'time(1d)';
    const tz = every === '1h' ? '' : ` tz(${quoteString(zone)})`;
    const where = `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}${meterFilter}`;
    const statement = (part: RangePart): string => {
      const range = timeRange(part.from, part.to);
      // Month points, and a day or two of day points (today and yesterday, split off by parts()):
      // at most a dozen points per meter, read as points with the tags as columns and filtered
      // and summed here. InfluxDB 1.6 groups 6,000 series slowly (a year of months: 0.9 s as
      // points, 1.2 s grouped by enterprise, 2.4 s grouped by meter; a day: 0.07 s against
      // 0.12-0.27 s), and the statement is the same for every meter filter, so the two status
      // queries of a rule cycle or a report share one (see RollupReads.query).
      if (part.level === 'month' || (part.level === 'day' && part.to - part.from <= RECENT_POINTS_MS)) {
        return (
          `SELECT quantity, ${TAG_ENTERPRISE}, ${TAG_METER}, carrier, unit FROM ${measurement(part.level)} WHERE ${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}` +
          ` AND zone = ${quoteString(zone)} AND ${range}`
        );
      }
      return (
        `SELECT sum(quantity) AS quantity FROM ${measurement(part.level)} WHERE ${where}${part.level === 'raw' ? '' : ` AND zone = ${quoteString(zone)}`}` +
        ` AND ${range} GROUP BY ${group}, ${TAG_ENTERPRISE}${inNode ? `, ${TAG_METER}` : ''}, carrier, unit fill(none)${tz}`
      );
    };
    // Whole local months and days come from the rollups, the partial days at the edges from the
    // hours; a rollup point sits at its period's local start, so the day buckets label every row
    // exactly as one query over the hours would. One statement per part: InfluxDB's cost grows
    // with the series each statement opens, so a year is never split into a statement per month.
    const results = await rollups.query(rollups.parts(every, zone, from, to), statement);
    // Months differ in length, which GROUP BY time() cannot express: fold local days into months.
    const monthOf = new Map<number, number>(); // luxon costs microseconds a call; a year has 365 days
    const sumRows = (rows: readonly QueryRow[]): Map<string, PartSum> => {
      const sums = new Map<string, PartSum>();
      // Grouped rows carry their series' tags; point rows carry them as columns.
      const tag = (row: QueryRow, name: string): string => row.tags[name] ?? stringColumn(row, name);
      for (const row of rows) {
        const quantity = optionalNumberColumn(row, 'quantity');
        if (quantity === undefined) continue; // an empty bucket
        // Rows per meter (long meter lists, and day points) are filtered here; the rest in the WHERE.
        const meter = row.tags.meter ?? (typeof row.columns.meter === 'string' ? row.columns.meter : undefined);
        if (meter !== undefined) {
          const id = meterKeyId(tag(row, 'enterprise'), meter);
          if ((only !== undefined && !only.has(id)) || without.has(id)) continue;
        }
        const day = numberColumn(row, 'time');
        let time = day;
        if (every === '1mo') {
          time = monthOf.get(day) ?? bucketStart(day, '1mo', zone);
          monthOf.set(day, time);
        }
        const enterprise = tag(row, 'enterprise');
        const carrier = tag(row, 'carrier');
        const unit = tag(row, 'unit');
        const id = `${enterprise}\u0000${carrier}\u0000${unit}\u0000${time}`;
        const sum = sums.get(id);
        if (sum) sum.quantity += quantity;
        else sums.set(id, { enterprise, carrier, unit, time, quantity });
      }
      return sums;
    };
    // A part read under unchanged marks sums to the same figures for the same filter and
    // buckets: kept, so a rule cycle does not re-add a year of 6,000 meters' month points each minute.
    const filterKey = `${every}\u0001${zone}\u0001${meters === undefined ? '*' : meters.map((m) => meterKeyId(m.enterprise, m.meter)).join('\u0001')}\u0002${excludeMeters.map((m) => meterKeyId(m.enterprise, m.meter)).join('\u0001')}`;
    const total = new Map<string, PartSum>();
    for (const r of results) {
      const key = r.signature === undefined ? undefined : `${filterKey}\u0003${r.signature}\u0003${r.statement}`;
      let sums = key === undefined ? undefined : this.sumsCache.get(key);
      if (sums === undefined) {
        sums = sumRows(r.rows);
        if (key !== undefined) {
          if (this.sumsCache.size >= this.settings.sumsCacheEntries) this.sumsCache.delete(this.sumsCache.keys().next().value as string);
          this.sumsCache.set(key, sums);
        }
      }
      for (const [id, sum] of sums) {
        const t = total.get(id);
        if (t) t.quantity += sum.quantity;
        else total.set(id, { ...sum });
      }
    }
    return [...total.values()].sort(
      (a, b) => a.enterprise.localeCompare(b.enterprise) || a.carrier.localeCompare(b.carrier) || a.unit.localeCompare(b.unit) || a.time - b.time,
    );
  }
}
