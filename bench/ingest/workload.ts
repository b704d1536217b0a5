/**
 * The benchmark district and its traffic: ~1,000 meters across ~50 enterprises (mostly counters),
 * published the way gateways do (contract 2): a gateway array per enterprise and tick on
 * `energy/{enterprise}`, single readings on `energy/{enterprise}/{meter}`, and per-meter arrays
 * of ten readings after a (simulated) gateway outage. Every enterprise is one stream in time
 * order, so readings of a meter arrive in order as they would from one gateway connection.
 */
import { stringify } from 'yaml';
import { sha256Hex } from '../../services/core/security';
import { mulberry32 } from '../../test/helpers/random';

export interface BenchDistrict {
  readonly enterprises: number;
  readonly metersPerEnterprise: number;
  /** Simulated reading interval of every meter. */
  readonly intervalMs: number;
  /** Simulated time of tick 0 (whole hour, in the past: readings must not be `future-ts`). */
  readonly t0: number;
}

export type MeterKind = 'counter' | 'power' | 'interval';

export const enterpriseId = (i: number): string => `b${String(i + 1).padStart(3, '0')}`;
export const meterId = (j: number): string => `m${String(j + 1).padStart(2, '0')}`;
export const gatewayPassword = (enterprise: string): string => `${enterprise}-bench`;
export const SERVICE_USER = 'energy-monitor';
export const SERVICE_PASSWORD = 'energy-monitor-bench';

/** Meter j of every enterprise: the last three are two power meters and one interval meter. */
export function meterKind(j: number, perEnterprise: number): MeterKind {
  if (j === perEnterprise - 1) return 'interval';
  if (j >= perEnterprise - 3) return 'power';
  return 'counter';
}

export function defaultDistrict(now = Date.now()): BenchDistrict {
  const enterprises = Number(process.env.BENCH_ENTERPRISES_INGEST ?? 50);
  const metersPerEnterprise = Number(process.env.BENCH_METERS_INGEST ?? 20);
  // 30 days back leaves room for ~40 k ticks (40 M readings) per phase before the present.
  const t0 = Math.floor((now - 30 * 86_400_000) / 3_600_000) * 3_600_000;
  return { enterprises, metersPerEnterprise, intervalMs: 60_000, t0 };
}

/** The service configuration for the district, with one gateway account per enterprise. */
export function districtConfigYaml(d: BenchDistrict): string {
  const enterprises = Array.from({ length: d.enterprises }, (_, i) => ({
    id: enterpriseId(i),
    name: `压测企业${i + 1}`,
    industry: '3011',
    quotas: [{ year: new Date(d.t0).getUTCFullYear(), totalTce: 50_000 }],
    meters: Array.from({ length: d.metersPerEnterprise }, (_, j) => {
      const kind = meterKind(j, d.metersPerEnterprise);
      const intervalSeconds = d.intervalMs / 1000;
      if (kind === 'power') return { id: meterId(j), carrier: 'electricity', unit: 'kW', kind, intervalSeconds };
      if (kind === 'interval') return { id: meterId(j), carrier: 'natural_gas', unit: 'm3', kind, intervalSeconds };
      if (j === 1) return { id: meterId(j), carrier: 'product', unit: 't', kind, intervalSeconds };
      if (j === 2) return { id: meterId(j), carrier: 'water', unit: 't', kind, intervalSeconds };
      return {
        id: meterId(j),
        carrier: 'electricity',
        unit: 'kWh',
        kind,
        multiplier: j % 4 === 0 ? 10 : 1,
        rollover: 99_999_999.99,
        intervalSeconds,
      };
    }),
  }));
  const mqtt = [
    ...enterprises.map((e) => ({ username: e.id, passwordSha256: sha256Hex(gatewayPassword(e.id)), enterprise: e.id, role: 'gateway' as const })),
    { username: SERVICE_USER, passwordSha256: sha256Hex(SERVICE_PASSWORD), role: 'service' as const },
  ];
  return stringify({ timezone: 'Asia/Shanghai', enterprises, auth: { tokens: [], mqtt } });
}

/** A deterministic PRNG: the same run publishes the same traffic. */
export const prng = mulberry32;

export interface BenchMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly readings: number;
  /** One reading of the message, for latency probes: its series and timestamp. */
  readonly probe: { enterprise: string; meter: string; ts: number };
}

/** Ticks per block; a block is either ordinary ticks or one gateway catch-up after an outage. */
const BLOCK = 10;

/**
 * The message stream of one enterprise's gateway. Per block of ten ticks: 10% of blocks arrive as
 * per-meter arrays of ten readings (catch-up after an outage); otherwise each tick is one gateway
 * array (2/3) or one single-reading message per meter (1/3), some with an ISO timestamp and unit.
 */
export class EnterpriseStream {
  private readonly rand: () => number;
  private readonly registers: number[];
  private readonly meters: string[];
  private readonly kinds: MeterKind[];
  private readonly queue: BenchMessage[] = [];
  private tick = 0;
  readonly id: string;

  constructor(
    private readonly d: BenchDistrict,
    index: number,
  ) {
    this.id = enterpriseId(index);
    this.rand = prng(index + 1);
    this.meters = Array.from({ length: d.metersPerEnterprise }, (_, j) => meterId(j));
    this.kinds = this.meters.map((_, j) => meterKind(j, d.metersPerEnterprise));
    this.registers = this.meters.map(() => Math.floor(this.rand() * 1_000_000));
  }

  next(): BenchMessage {
    if (this.queue.length === 0) this.fillBlock();
    return this.queue.shift()!;
  }

  private value(j: number): number {
    const kind = this.kinds[j]!;
    if (kind === 'counter') {
      this.registers[j] = Math.round((this.registers[j]! + this.rand() * 50) * 100) / 100;
      return this.registers[j]!;
    }
    if (kind === 'power') return Math.round((500 + this.rand() * 3000) * 10) / 10;
    return Math.round(this.rand() * 1000) / 100;
  }

  private fillBlock(): void {
    const first = this.tick;
    this.tick += BLOCK;
    const tsOf = (k: number): number => this.d.t0 + (first + k) * this.d.intervalMs;
    const e = this.id;
    if (this.rand() < 0.1) {
      // Catch-up after an outage: values are generated tick by tick, sent meter by meter.
      const series: { ts: number; value: number }[][] = this.meters.map(() => []);
      for (let k = 0; k < BLOCK; k++) for (let j = 0; j < this.meters.length; j++) series[j]!.push({ ts: tsOf(k), value: this.value(j) });
      this.meters.forEach((m, j) => {
        const list = series[j]!;
        this.queue.push({
          topic: `energy/${e}/${m}`,
          payload: Buffer.from(JSON.stringify(list)),
          readings: list.length,
          probe: { enterprise: e, meter: m, ts: list[list.length - 1]!.ts },
        });
      });
      return;
    }
    for (let k = 0; k < BLOCK; k++) {
      const ts = tsOf(k);
      if (this.rand() < 2 / 3) {
        const items = this.meters.map((m, j) => ({ meter: m, ts, value: this.value(j) }));
        const last = this.meters[this.meters.length - 1]!;
        this.queue.push({
          topic: `energy/${e}`,
          payload: Buffer.from(JSON.stringify(items)),
          readings: items.length,
          probe: { enterprise: e, meter: last, ts },
        });
      } else {
        this.meters.forEach((m, j) => {
          const value = this.value(j);
          const iso = this.rand() < 0.2;
          const body = iso ? { ts: new Date(ts + 8 * 3_600_000).toISOString().replace('Z', '+08:00'), value, quality: 'good' } : { ts, value };
          this.queue.push({
            topic: `energy/${e}/${m}`,
            payload: Buffer.from(JSON.stringify(body)),
            readings: 1,
            probe: { enterprise: e, meter: m, ts },
          });
        });
      }
    }
  }
}

/**
 * Line protocol for `ticks` ticks of the whole district, as the service writes it: one `reading`
 * point per reading and one `consumption` point per meter and hour touched by the batch
 * (services/store/influx/influxSchema.ts: tags sorted, ms precision).
 */
export function districtLines(d: BenchDistrict, fromTick: number, ticks: number, rand: () => number): { lines: string[]; readings: number } {
  const lines: string[] = [];
  let readings = 0;
  const hours = new Set<number>();
  for (let k = fromTick; k < fromTick + ticks; k++) hours.add(Math.floor((d.t0 + k * d.intervalMs) / 3_600_000) * 3_600_000);
  for (let i = 0; i < d.enterprises; i++) {
    const e = enterpriseId(i);
    for (let j = 0; j < d.metersPerEnterprise; j++) {
      const m = meterId(j);
      for (let k = fromTick; k < fromTick + ticks; k++) {
        lines.push(`reading,enterprise=${e},meter=${m} quality="good",value=${(rand() * 1e6).toFixed(2)} ${d.t0 + k * d.intervalMs}`);
        readings++;
      }
      for (const h of hours)
        lines.push(`consumption,carrier=electricity,enterprise=${e},meter=${m},unit=kWh quantity=${(rand() * 100).toFixed(3)} ${h}`);
    }
  }
  return { lines, readings };
}
