/**
 * Pure helpers for talking InfluxQL over HTTP: safe quoting of identifiers, string literals and
 * regex alternations (values come from topics and URLs, so nothing is ever pasted in raw), and a
 * validating parser for the JSON that `/query` answers, from `unknown` to typed rows.
 */
import { DependencyError } from '../../core/errors';

/**
 * InfluxQL's scanner knows the escapes \\ \' \" and \n inside quoted tokens and rejects a raw
 * newline, so escaping those four leaves no way to close the quotes early.
 */
function escapeQuoted(text: string, quote: '"' | "'"): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(quote === '"' ? /"/g : /'/g, `\\${quote}`)
    .replace(/\n/g, '\\n');
}

/** A database, retention policy, measurement, tag or field name. */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** A string literal, e.g. a tag value in `WHERE enterprise = '...'`. */
export function quoteString(value: string): string {
  return `'${escapeQuoted(value, "'")}'`;
}

/**
 * A regex literal matching exactly one of `values`: /^(a|b)$/. Regex metacharacters are escaped
 * so `.*` matches only the two characters; `/` is escaped because it ends the literal, and a
 * newline is written as \n, which RE2 reads back as a newline.
 */
export function regexAlternation(values: readonly string[]): string {
  if (values.length === 0) throw new RangeError('regexAlternation needs at least one value');
  const escaped = values.map((v) => v.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&').replace(/\n/g, '\\n'));
  return `/^(${escaped.join('|')})$/`;
}

/** An epoch-ms instant as an InfluxQL time literal. */
export function timeLiteral(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not an integer epoch ms: ${ms}`);
  return `${ms}ms`;
}

/** Parses `1.6.7~rc0`, `v2.7.1`, `3.0.0` (the X-Influxdb-Version header) into major/minor. */
export function parseInfluxVersion(text: string | undefined): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** One row of one series: the series' tags plus the row's columns by name (time is epoch ms). */
export interface QueryRow {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly columns: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeError(what: string): DependencyError {
  return new DependencyError('influxdb', `unexpected /query response: ${what}`, { retryable: false });
}

function parseSeries(series: unknown): QueryRow[] {
  if (!isRecord(series)) throw shapeError('series is not an object');
  const { name, tags, columns, values } = series;
  if (typeof name !== 'string') throw shapeError('series without a name');
  if (!Array.isArray(columns) || !columns.every((c): c is string => typeof c === 'string')) throw shapeError('series columns are not strings');
  const tagMap: Record<string, string> = {};
  if (tags !== undefined) {
    if (!isRecord(tags)) throw shapeError('series tags are not an object');
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v !== 'string') throw shapeError(`tag ${k} is not a string`);
      tagMap[k] = v;
    }
  }
  // A series with no points may omit `values`.
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw shapeError('series values are not an array');
  return values.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== columns.length) throw shapeError('row length differs from columns');
    const byName: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      byName[c] = row[i];
    });
    return { measurement: name, tags: tagMap, columns: byName };
  });
}

/**
 * Parses a `/query` answer into rows per statement (index = statement order). A top-level or
 * per-statement `error` becomes a DependencyError: InfluxDB reports bad queries with HTTP 200.
 */
export function parseQueryResponse(body: unknown): QueryRow[][] {
  if (!isRecord(body)) throw shapeError('body is not an object');
  if (typeof body.error === 'string') throw new DependencyError('influxdb', `query failed: ${body.error}`, { retryable: false });
  const { results } = body;
  if (!Array.isArray(results)) throw shapeError('no results array');
  return results.map((result: unknown) => {
    if (!isRecord(result)) throw shapeError('result is not an object');
    if (typeof result.error === 'string') throw new DependencyError('influxdb', `query failed: ${result.error}`, { retryable: false });
    // A server with max-row-limit set cuts long answers and says so: sums over them would be wrong.
    if (result.partial === true)
      throw new DependencyError('influxdb', 'query answer was cut short (partial: set max-row-limit = 0 in influxdb.conf)', { retryable: false });
    if (result.series === undefined) return [];
    if (!Array.isArray(result.series)) throw shapeError('series is not an array');
    return result.series.flatMap(parseSeries);
  });
}

export function numberColumn(row: QueryRow, column: string): number {
  const value = row.columns[column];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw shapeError(`column ${column} is not a number`);
  return value;
}

/** A number, or undefined for null (an empty GROUP BY time bucket). */
export function optionalNumberColumn(row: QueryRow, column: string): number | undefined {
  return row.columns[column] === null ? undefined : numberColumn(row, column);
}

export function stringColumn(row: QueryRow, column: string): string {
  const value = row.columns[column];
  if (typeof value !== 'string') throw shapeError(`column ${column} is not a string`);
  return value;
}

export function tagOf(row: QueryRow, tag: string): string {
  const value = row.tags[tag];
  if (value === undefined) throw shapeError(`series without tag ${tag}`);
  return value;
}
