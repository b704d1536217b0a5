/**
 * The meter simulator against a real in-process broker (aedes on port 0): what it publishes must be
 * what contract section 2 lets a gateway publish, and the figures must be those of the demo plants.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import Aedes from 'aedes';
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import type { Config, MeterConfig } from '../../../config/schema';
import { MeterSimulator } from '../../../ingest/simulator/meterSimulator';
import { MeterModel } from '../../../ingest/simulator/meterModel';
import { conversionFactor, convert } from '../../../config/units';
import { silentLogger } from '../../../services/core/log';
import { mulberry32 } from '../../helpers/random';

const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Published {
  readonly topic: string;
  readonly payload: string;
  readonly username: string;
}

/** An aedes broker on port 0 that checks the demo's password convention and records every publish. */
async function withBroker<T>(run: (url: string, published: Published[]) => Promise<T>): Promise<T> {
  const published: Published[] = [];
  const users = new Map<string, string>();
  const broker = new Aedes({
    authenticate: (client, username, password, done) => {
      const ok = username !== undefined && password?.toString() === `${username}-demo`;
      if (ok) users.set(client.id, username);
      done(null, ok);
    },
  });
  // Emitted before the PUBACK, so everything is recorded once the simulator's publishes resolve.
  broker.on('publish', (packet, client) => {
    if (client) published.push({ topic: packet.topic, payload: packet.payload.toString(), username: users.get(client.id) ?? '?' });
  });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await run(`mqtt://127.0.0.1:${port}`, published);
  } finally {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function simulate(
  config: Config,
  options: { now: number; seed: number; hours: number; anomalies?: boolean; seedYearToDate?: boolean; seedPreviousYear?: boolean },
): Promise<Published[]> {
  return withBroker(async (url, published) => {
    const sim = new MeterSimulator(
      {
        config,
        mqttUrl: url,
        passwordFor: (id) => `${id}-demo`,
        backfillHours: options.hours,
        now: () => options.now,
        random: mulberry32(options.seed),
        anomalies: options.anomalies ?? true,
        seedYearToDate: options.seedYearToDate ?? false,
        seedPreviousYear: options.seedPreviousYear ?? false,
      },
      { logger: silentLogger() },
    );
    try {
      await sim.start();
    } finally {
      await sim.stop();
    }
    return published;
  });
}

const TOPIC = /^energy\/([a-z0-9_-]{1,64})(?:\/([a-z0-9_-]{1,64}))?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ELEMENT_KEYS = new Set(['meter', 'ts', 'value', 'unit', 'quality']);

interface Reading {
  readonly ts: number;
  readonly value: number;
}
interface Decoded {
  readonly valid: Map<string, Reading[]>;
  readonly invalid: { key: string; reason: string }[];
}

/**
 * Parses every message as the contract's shapes; readings in the meter's unit, by "enterprise/meter".
 * Problems are collected and asserted once (an expect per reading makes a two-day run slow).
 */
function decodeAll(config: Config, published: readonly Published[]): Decoded {
  const meters = new Map<string, MeterConfig>(config.enterprises.flatMap((e) => e.meters.map((m) => [`${e.id}/${m.id}`, m] as const)));
  const valid = new Map<string, Reading[]>();
  const invalid: { key: string; reason: string }[] = [];
  const problems: string[] = [];
  for (const msg of published) {
    const match = TOPIC.exec(msg.topic);
    if (!match) {
      problems.push(`topic ${msg.topic}`);
      continue;
    }
    const [, enterprise, meterId] = match;
    if (enterprise !== msg.username) problems.push(`${msg.username} published for ${enterprise}`); // own enterprise only
    const body: unknown = JSON.parse(msg.payload);
    if (meterId === undefined && !Array.isArray(body)) problems.push(`multi-meter topic without an array: ${msg.payload}`);
    const items: unknown[] = Array.isArray(body) ? body : [body];
    if (items.length === 0) problems.push(`empty array on ${msg.topic}`);
    for (const item of items) {
      if (typeof item !== 'object' || item === null) {
        problems.push(`not an object: ${JSON.stringify(item)}`);
        continue;
      }
      const e = item as Record<string, unknown>;
      const where = `${msg.topic} ${JSON.stringify(e)}`;
      if (Object.keys(e).some((k) => !ELEMENT_KEYS.has(k))) problems.push(`unexpected key: ${where}`);
      const key = `${enterprise}/${String(meterId ?? e.meter)}`;
      const meter = meters.get(key);
      const ts = typeof e.ts === 'number' ? e.ts : typeof e.ts === 'string' && ISO_WITH_OFFSET.test(e.ts) ? Date.parse(e.ts) : Number.NaN;
      if (
        !meter ||
        !Number.isInteger(ts) ||
        typeof e.value !== 'number' ||
        (e.quality !== undefined && !['good', 'uncertain', 'bad'].includes(String(e.quality)))
      ) {
        problems.push(`bad element: ${where}`);
        continue;
      }
      let value = e.value;
      if (!Number.isFinite(value)) {
        invalid.push({ key, reason: 'non-finite' });
        continue;
      }
      if (e.unit !== undefined) {
        const factor = conversionFactor(String(e.unit), meter.unit);
        if (factor === undefined) {
          invalid.push({ key, reason: 'unit-mismatch' });
          continue;
        }
        value = convert(value, factor);
      }
      const list = valid.get(key) ?? [];
      list.push({ ts, value });
      valid.set(key, list);
    }
  }
  expect(problems).toEqual([]);
  return { valid, invalid };
}

/** Distinct readings by ts; a resend must carry the very same value. */
function distinct(readings: readonly Reading[]): Reading[] {
  const byTs = new Map<number, number>();
  const conflicts: string[] = [];
  for (const r of readings) {
    const seen = byTs.get(r.ts);
    if (seen !== undefined && seen !== r.value) conflicts.push(`${r.ts}: ${seen} then ${r.value}`);
    byTs.set(r.ts, r.value);
  }
  expect(conflicts).toEqual([]);
  return [...byTs].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
}

/** Cumulative register (before the multiplier) with the contract's reset and rollover correction; counts decreases. */
function corrected(series: readonly Reading[], meter: MeterConfig): { cum: Reading[]; resets: number; rollovers: number } {
  const steps = series
    .slice(1)
    .map((r, i) => (r.value - series[i]!.value) / (r.ts - series[i]!.ts))
    .filter((s) => s >= 0)
    .sort((a, b) => a - b);
  const typicalPerMs = steps[Math.floor(steps.length / 2)] ?? 0;
  const cum: Reading[] = [];
  const badDrops: string[] = [];
  let total = 0,
    resets = 0,
    rollovers = 0;
  series.forEach((r, i) => {
    const prev = series[i - 1];
    if (prev) {
      if (r.value >= prev.value) total += r.value - prev.value;
      else if (meter.rollover !== undefined && prev.value >= 0.9 * meter.rollover) {
        rollovers++;
        total += meter.rollover - prev.value + r.value;
      } else {
        // Only a restart from about zero is allowed: the new register is at most a few intervals' worth.
        if (r.value > 3 * typicalPerMs * (r.ts - prev.ts) + 0.01) badDrops.push(`${meter.id} at ${r.ts}: ${prev.value} -> ${r.value}`);
        resets++;
        total += r.value;
      }
    }
    cum.push({ ts: r.ts, value: total });
  });
  expect(badDrops).toEqual([]);
  return { cum, resets, rollovers };
}

function interpolate(cum: readonly Reading[], ts: number): number {
  const i = cum.findIndex((r) => r.ts >= ts);
  if (i <= 0) return cum[Math.max(0, i)]!.value;
  const a = cum[i - 1]!,
    b = cum[i]!;
  return a.value + ((b.value - a.value) * (ts - a.ts)) / (b.ts - a.ts);
}

describe('config/demo.yaml', () => {
  const config = loadConfigFile(DEMO_CONFIG_PATH);

  it('passes the loader and describes the four demo plants', () => {
    expect(config.timezone).toBe(ZONE);
    expect(config.electricity).toBe('equivalent');
    expect(config.enterprises.map((e) => [e.id, e.industry])).toEqual([
      ['alu01', '3216'],
      ['cem01', '3011'],
      ['chem01', '2614'],
      ['pha01', '2710'],
    ]);
    for (const e of config.enterprises) {
      expect(e.quotas.map((q) => q.year)).toEqual([2025, 2026, 2027]);
      expect(e.meters.some((m) => m.intervalSeconds === 60)).toBe(true);
    }
    expect(config.rules.thresholds.some((t) => t.enterprise === 'alu01' && t.meter === 'potline')).toBe(true);
  });

  it('stores the SHA-256 of the documented demo tokens and MQTT passwords', () => {
    const token = (role: string): string | undefined => config.auth.tokens.find((t) => t.role === role)?.sha256;
    expect(token('admin')).toBe(sha256('demo-admin'));
    expect(token('officer')).toBe(sha256('demo-officer'));
    expect(token('auditor')).toBe(sha256('demo-auditor'));
    expect(config.auth.tokens.find((t) => t.role === 'enterprise' && t.enterprise === 'alu01')?.sha256).toBe(sha256('demo-alu01'));
    for (const e of config.enterprises) {
      expect(config.auth.mqtt.find((u) => u.username === e.id)).toMatchObject({
        enterprise: e.id,
        role: 'gateway',
        passwordSha256: sha256(`${e.id}-demo`),
      });
    }
    expect(config.auth.mqtt.find((u) => u.username === 'energy-monitor')).toMatchObject({
      role: 'service',
      passwordSha256: sha256('energy-monitor-demo'),
    });
  });
});

describe('MeterSimulator', () => {
  const config = loadConfigFile(DEMO_CONFIG_PATH);
  // 09:00 local: the six hours of backfill run from the small hours through sunrise.
  const now = DateTime.fromISO('2026-03-10T09:00:00', { zone: ZONE }).toMillis();
  const hours = 6;
  let published: Published[];
  let decoded: Decoded;

  beforeAll(async () => {
    published = await simulate(config, { now, seed: 20260310, hours });
    decoded = decodeAll(config, published);
  });

  it('publishes contract-shaped messages on the contract topics', () => {
    // decodeAll checked every topic and payload; here only that there was something to check.
    expect(published.length).toBeGreaterThan(config.enterprises.length);
    expect([...decoded.valid.keys()]).toHaveLength(config.enterprises.reduce((n, e) => n + e.meters.length, 0));
    // Invalid messages are rare: at most a handful in six hours for 16 meters.
    expect(decoded.invalid.length).toBeLessThanOrEqual(5);
  });

  it('covers the backfill on each meter grid, allowing the injected gaps', () => {
    let total = 0,
      expected = 0;
    for (const e of config.enterprises) {
      for (const m of e.meters) {
        const step = m.intervalSeconds * 1000;
        const series = distinct(decoded.valid.get(`${e.id}/${m.id}`) ?? []);
        const slots = (hours * HOUR) / step;
        for (const r of series) {
          expect(r.ts % step).toBe(0);
          expect(r.ts).toBeGreaterThan(now - hours * HOUR);
          expect(r.ts).toBeLessThanOrEqual(now);
        }
        // At most one outage of up to an hour and a couple of lost readings.
        expect(series.length).toBeGreaterThanOrEqual(slots - HOUR / step - 2);
        total += series.length;
        expected += slots;
      }
    }
    // One hour-long outage on a 60-s meter is 3.5 % of all slots.
    expect(total / expected).toBeGreaterThan(0.9);
  });

  it('keeps counter registers non-decreasing except at resets and rollovers', () => {
    for (const e of config.enterprises) {
      for (const m of e.meters.filter((x) => x.kind === 'counter')) {
        const { resets } = corrected(distinct(decoded.valid.get(`${e.id}/${m.id}`)!), m);
        expect(resets).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives the smelter a unit consumption around the 13,300 kWh/t tier threshold', () => {
    const alu = config.enterprises.find((e) => e.id === 'alu01')!;
    const meter = (id: string): MeterConfig => alu.meters.find((m) => m.id === id)!;
    const e = corrected(distinct(decoded.valid.get('alu01/e-main')!), meter('e-main')).cum;
    const p = corrected(distinct(decoded.valid.get('alu01/al-liquid')!), meter('al-liquid')).cum;
    const from = Math.max(e[0]!.ts, p[0]!.ts);
    const to = Math.min(e.at(-1)!.ts, p.at(-1)!.ts);
    expect(to - from).toBeGreaterThan(4 * HOUR);
    const kwh = (interpolate(e, to) - interpolate(e, from)) * meter('e-main').multiplier;
    const t = interpolate(p, to) - interpolate(p, from);
    expect(kwh / t).toBeGreaterThan(13_000);
    expect(kwh / t).toBeLessThan(13_600);
  });

  it('reads zero on the rooftop PV at local night and generates after sunrise', () => {
    const pv = distinct(decoded.valid.get('pha01/pv')!);
    const night = pv.filter(
      (r) => DateTime.fromMillis(r.ts, { zone: ZONE }).hour < 6 || DateTime.fromMillis(r.ts, { zone: ZONE }).toFormat('HH:mm') === '06:30',
    );
    const morning = pv.filter((r) => DateTime.fromMillis(r.ts, { zone: ZONE }).hour >= 8);
    expect(night.length).toBeGreaterThan(8);
    for (const r of night) expect(r.value).toBe(0);
    expect(morning.length).toBeGreaterThan(0);
    for (const r of morning) expect(r.value).toBeGreaterThan(0);
  });

  it('continues the same registers after a restart with another random seed', async () => {
    const later = await simulate(config, { now: now + HOUR, seed: 7, hours: 2 });
    const again = decodeAll(config, later).valid;
    let compared = 0;
    for (const [key, readings] of again) {
      const before = new Map(distinct(decoded.valid.get(key) ?? []).map((r) => [r.ts, r.value]));
      for (const r of distinct(readings)) {
        if (!before.has(r.ts)) continue;
        expect(r.value).toBe(before.get(r.ts));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('without anomalies sends every reading once, valid, and seeds one register per day since 1 January', async () => {
    // Two days of backfill: 8 blocks per enterprise, enough for every payload variant to turn up.
    const days = 2;
    const jan = DateTime.fromISO('2026-01-07T09:00:00', { zone: ZONE }).toMillis();
    const clean = await simulate(config, { now: jan, seed: 1, hours: days * 24, anomalies: false, seedYearToDate: true });
    expect(clean.some((m) => /^energy\/[a-z0-9_-]+$/.test(m.topic))).toBe(true); // multi-meter topic
    expect(clean.some((m) => m.payload.includes('+08:00"'))).toBe(true); // ISO-8601 timestamps
    expect(clean.some((m) => /"unit":"(Wh|W|kg|MJ)"/.test(m.payload))).toBe(true); // exactly converted units
    const { valid, invalid } = decodeAll(config, clean);
    expect(invalid).toEqual([]);
    const midnights = [1, 2, 3, 4, 5].map((d) => DateTime.fromObject({ year: 2026, month: 1, day: d }, { zone: ZONE }).toMillis());
    const from = jan - days * 24 * HOUR;
    for (const e of config.enterprises) {
      for (const m of e.meters) {
        const readings = valid.get(`${e.id}/${m.id}`)!;
        const series = distinct(readings);
        expect(series.length).toBe(readings.length); // no duplicates
        const recent = series.filter((r) => r.ts > from);
        expect(recent).toHaveLength((days * 24 * HOUR) / (m.intervalSeconds * 1000));
        const seeded = series.filter((r) => r.ts <= from).map((r) => r.ts);
        expect(seeded).toEqual(m.kind === 'counter' ? midnights : []);
        if (m.kind === 'counter') expect(corrected(series, m).resets).toBe(0);
      }
    }
  });
});

describe('MeterSimulator seed of the previous year', () => {
  it('seeds one register per midnight from 1 January of the previous year, continuous with the backfill', async () => {
    // 3 January 2026 09:00 with 24 hours of backfill: midnights from 2025-01-01 to 2026-01-02 (the
    // backfill starts 2 January 09:00): 365 days of 2025 + 1 and 2 January = 367 per counter.
    const config = loadConfigFile(DEMO_CONFIG_PATH);
    const now = DateTime.fromISO('2026-01-03T09:00:00', { zone: ZONE }).toMillis();
    const from = now - 24 * HOUR;
    const published = await simulate(config, { now, seed: 5, hours: 24, anomalies: false, seedYearToDate: true, seedPreviousYear: true });
    const { valid, invalid } = decodeAll(config, published);
    expect(invalid).toEqual([]);
    const first = DateTime.fromISO('2025-01-01T00:00', { zone: ZONE }).toMillis();
    const enterprise = config.enterprises.find((e) => e.id === 'alu01')!;
    for (const m of enterprise.meters.filter((x) => x.kind === 'counter')) {
      const seeded = distinct(valid.get(`alu01/${m.id}`)!).filter((r) => r.ts <= from);
      const midnights = seeded.filter((r) => DateTime.fromMillis(r.ts, { zone: ZONE }).toFormat('HH:mm') === '00:00');
      expect(midnights).toHaveLength(367);
      expect(midnights[0]!.ts).toBe(first);
      // Registers only move forward, apart from resets the corrector counts (none without anomalies).
      expect(corrected(distinct(valid.get(`alu01/${m.id}`)!), m).resets).toBe(0);
    }
  });
});

describe('MeterSimulator seed of project meters', () => {
  it("seeds an energy-review project's meters from the start of its window, the others from 1 January", async () => {
    // The demo's project ws2 (pha01, from 2026-04-01); on 7 January 2027 its window is 2026-04-01 ..
    // 2027-01-01 (contract 9.1), all before 1 January.
    const config = loadConfigFile(DEMO_CONFIG_PATH);
    const now = DateTime.fromISO('2027-01-07T09:00:00', { zone: ZONE }).toMillis();
    const from = now - 24 * HOUR;
    const published = await simulate(config, { now, seed: 3, hours: 24, anomalies: false, seedYearToDate: true });
    const { valid } = decodeAll(config, published);
    const midnightsFrom = (iso: string) => {
      const out: number[] = [];
      for (let d = DateTime.fromISO(iso, { zone: ZONE }); d.toMillis() <= from; d = d.plus({ days: 1 })) out.push(d.toMillis());
      return out;
    };
    const seeded = (meter: string) =>
      distinct(valid.get(`pha01/${meter}`)!)
        .filter((r) => r.ts <= from)
        .map((r) => r.ts);
    const project = midnightsFrom('2026-04-01');
    expect(project).toHaveLength(30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 + 6); // April 2026 .. 6 January 2027
    expect(seeded('e-ws2')).toEqual(project);
    expect(seeded('steam-ws2')).toEqual(project);
    expect(seeded('e-main')).toEqual(midnightsFrom('2027-01-01'));
  });
});

describe('MeterModel', () => {
  it('wraps a counter register at its rollover without losing consumption', () => {
    // The pharmaceutical plant's main meter with a small register: ~160 a hour against 1000, so
    // it wraps a few times a day while a 15-minute step stays under the contract's 10 % margin.
    const enterprise = loadConfigFile(DEMO_CONFIG_PATH).enterprises.find((e) => e.id === 'pha01')!;
    const main = enterprise.meters.find((m) => m.id === 'e-main')!;
    const small = { ...main, multiplier: 20, rollover: 1000 };
    const wide = { ...small, rollover: undefined };
    const wrapping = new MeterModel({ enterprise, meter: small, utcOffsetMs: 8 * HOUR, resets: false });
    const unbroken = new MeterModel({ enterprise, meter: wide, utcOffsetMs: 8 * HOUR, resets: false });
    const start = Date.UTC(2026, 5, 1);
    const series: Reading[] = [];
    for (let ts = start; ts <= start + 24 * HOUR; ts += 900_000) series.push({ ts, value: wrapping.registerAt(ts) });
    for (const r of series) {
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThan(1000);
    }
    const { cum, rollovers, resets } = corrected(series, small);
    expect(rollovers).toBeGreaterThanOrEqual(3);
    expect(resets).toBe(0);
    const expected = unbroken.registerAt(start + 24 * HOUR) - unbroken.registerAt(start);
    expect(cum.at(-1)!.value).toBeCloseTo(expected, 1);
  });
});
