/**
 * The read transport: InfluxQL over `/query`, the one query language every major version
 * (1.x, 2.x through its v1 compatibility API, 3.x) answers, and `/ping`. Several statements go in
 * one request separated by `;` and come back as one result each (parseQueryResponse turns an
 * error in any of them into a DependencyError rather than a silently short answer).
 */
import { DependencyError, errorMessage } from '../../core/errors';
import { parseQueryResponse, quoteIdent, type QueryRow } from './influxql';
import { DEPENDENCY } from './influxSchema';
import type { InfluxStoreSettings } from './influxStoreOptions';

export type InfluxQuerySettings = Pick<
  InfluxStoreSettings,
  'url' | 'token' | 'database' | 'retentionPolicy' | 'requestTimeoutMs' | 'pingTimeoutMaxMs' | 'statementsPerRequest'
>;

export interface InfluxPing {
  readonly ok: boolean;
  readonly version?: string;
  readonly detail?: string;
}

export class InfluxQueryClient {
  constructor(
    private readonly settings: InfluxQuerySettings,
    private readonly fetchFn: typeof fetch,
  ) {}

  private get headers(): Record<string, string> {
    return this.settings.token === undefined ? {} : { Authorization: `Token ${this.settings.token}` };
  }

  /** FROM target: "rp"."measurement" when a retention policy is configured (db comes with `db=`). */
  from(measurement: string): string {
    const rp = this.settings.retentionPolicy;
    return rp === undefined ? quoteIdent(measurement) : `${quoteIdent(rp)}.${quoteIdent(measurement)}`;
  }

  async ping(): Promise<InfluxPing> {
    try {
      const res = await this.fetchFn(`${this.settings.url}/ping`, {
        headers: this.headers,
        signal: AbortSignal.timeout(Math.min(this.settings.requestTimeoutMs, this.settings.pingTimeoutMaxMs)),
      });
      await res.arrayBuffer();
      if (res.status !== 204 && res.status !== 200) return { ok: false, detail: `/ping answered HTTP ${res.status}` };
      return { ok: true, version: res.headers.get('X-Influxdb-Version') ?? undefined };
    } catch (err) {
      const cause = err instanceof Error && err.cause !== undefined ? `: ${errorMessage(err.cause)}` : '';
      return { ok: false, detail: `${errorMessage(err)}${cause}` };
    }
  }

  async query(q: string, withDb = true): Promise<QueryRow[][]> {
    const params = new URLSearchParams({ epoch: 'ms' });
    if (withDb) params.set('db', this.settings.database);
    let status: number;
    let text: string;
    try {
      // POST with a form body: no URL length limit for long enterprise lists, and 1.x requires
      // POST for CREATE DATABASE anyway.
      const res = await this.fetchFn(`${this.settings.url}/query?${params.toString()}`, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ q }).toString(),
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new DependencyError(DEPENDENCY, `query failed: ${errorMessage(err)}`, { cause: err });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status < 200 || status >= 300) {
      const detail = typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : text.slice(0, 200);
      throw new DependencyError(DEPENDENCY, `query answered HTTP ${status}: ${detail}`, {
        retryable: status >= 500 || status === 429,
        context: { status },
      });
    }
    return parseQueryResponse(body);
  }

  /** Runs statements in requests of bounded size; results in statement order. */
  async queryAll(statements: readonly string[]): Promise<QueryRow[][]> {
    const out: QueryRow[][] = [];
    const per = this.settings.statementsPerRequest;
    for (let i = 0; i < statements.length; i += per) {
      const results = await this.query(statements.slice(i, i + per).join('; '));
      statements.slice(i, i + per).forEach((_, k) => out.push(results[k] ?? []));
    }
    return out;
  }
}
