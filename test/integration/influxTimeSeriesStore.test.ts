/**
 * InfluxTimeSeriesStore against a real influxd 1.6.7 (the shared contract suite plus what only
 * this adapter has: version detection, retries, failure reporting, InfluxQL injection), and its
 * 2.x write path against VictoriaMetrics when that is installed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DependencyError } from '../../services/core/errors';
import type { Reading } from '../../services/energy/reading';
import { silentLogger } from '../../services/core/log';
import { InfluxTimeSeriesStore, MAX_METER_TERMS, type InfluxStoreOptions } from '../../services/store/influx/influxTimeSeriesStore';
import { routeInfluxClientLogs } from '../../services/store/influx/routeInfluxClientLogs';
import { findInfluxd, findVictoriaMetrics, startInfluxd, startVictoriaMetrics, type InfluxdHandle } from '../helpers/influxd';
import { timeSeriesStoreContract } from './timeSeriesStore.contract';

// The client's own messages (retries the tests provoke) go where the app sends them: nowhere here.
routeInfluxClientLogs(silentLogger());

const T0 = Date.UTC(2026, 2, 1, 15, 0);
const MIN = 60_000;
const reading = (enterprise: string, meter: string, minutes: number, value: number, quality: Reading['quality'] = 'good'): Reading => ({
  enterprise,
  meter,
  ts: T0 + minutes * MIN,
  value,
  quality,
});

const FAST_RETRY = { maxRetries: 2, minRetryDelayMs: 20, maxRetryDelayMs: 100 } as const;

// Decided when the file is collected; in CI a missing influxd still runs and fails in beforeAll.
const influxAvailable = findInfluxd() !== undefined || process.env.CI === 'true';
if (!influxAvailable) console.warn('influxd not found: the InfluxDB integration tests are skipped');

interface Proxy {
  readonly url: string;
  readonly requests: string[];
  /** Request bodies of /query (the InfluxQL, form-decoded) in order. */
  readonly queries: string[];
  failWrites: (n: number) => void;
  /** Answers 503 to requests whose body matches, while set. */
  failWhen: (test: ((body: string) => boolean) | undefined) => void;
  /** Holds requests whose body matches until the returned release() is called. */
  holdWhen: (test: (body: string) => boolean) => () => void;
  close: () => Promise<void>;
}

/** A loopback HTTP proxy in front of influxd that records requests and can fail or hold them. */
async function startProxy(target: string): Promise<Proxy> {
  const requests: string[] = [];
  const queries: string[] = [];
  let failing = 0;
  let failTest: ((body: string) => boolean) | undefined;
  let hold: { test: (body: string) => boolean; released: Promise<void> } | undefined;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(`${req.method ?? ''} ${path}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      const body = path.startsWith('/query') ? (new URLSearchParams(text).get('q') ?? '') : text;
      if (path.startsWith('/query')) queries.push(body);
      if ((failing > 0 && path.includes('write')) || failTest?.(body)) {
        if (path.includes('write') && failing > 0) failing--;
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"injected failure"}');
        return;
      }
      const forward = (): void => {
        const upstream = http.request(`${target}${path}`, { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(raw);
      };
      if (hold?.test(body)) void hold.released.then(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queries,
    failWrites: (n) => {
      failing = n;
    },
    failWhen: (test) => {
      failTest = test;
    },
    holdWhen: (test) => {
      let release = (): void => undefined;
      hold = {
        test,
        released: new Promise<void>((resolve) => {
          release = resolve;
        }),
      };
      return () => {
        hold = undefined;
        release();
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

(influxAvailable ? describe : describe.skip)('InfluxTimeSeriesStore on influxd 1.x', () => {
  let influxd: InfluxdHandle;
  let dbCounter = 0;

  beforeAll(async () => {
    const started = await startInfluxd();
    if (started === undefined) throw new Error('influxd did not start');
    influxd = started;
  }, 30_000);
  afterAll(async () => {
    await influxd?.stop();
  });

  async function newStore(
    overrides: Partial<InfluxStoreOptions> = {},
  ): Promise<{ store: InfluxTimeSeriesStore; database: string; cleanup: () => Promise<void> }> {
    const database = `energy_test_${++dbCounter}`;
    const store = new InfluxTimeSeriesStore({ url: influxd.url, database, ...overrides }, { logger: silentLogger() });
    await store.start();
    return {
      store,
      database,
      cleanup: async () => {
        await store.stop();
        // A fresh database per store keeps tests apart; drop it so the server stays small.
        await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE "${database}"` }) });
      },
    };
  }

  // With the site zone (daily rollups, as the service runs it) and without (hours and readings only).
  timeSeriesStoreContract('influxdb 1.6', () => newStore({ zone: 'Asia/Shanghai' }));
  timeSeriesStoreContract('influxdb 1.6 without rollups', () => newStore());

  describe('adapter specifics', () => {
    it('detects 1.6.7 from /ping and writes through the 1.x /write endpoint', async () => {
      const proxy = await startProxy(influxd.url);
      const { store, cleanup } = await newStore({ url: proxy.url });
      try {
        expect(await store.health()).toEqual({ ok: true, kind: 'influxdb', version: expect.stringMatching(/^1\.6\.7/) });
        await store.write({ readings: [reading('alu01', 'e-main', 0, 1)], hourly: [] });
        const writes = proxy.requests.filter((r) => r.includes('write'));
        expect(writes).toHaveLength(1);
        expect(writes[0]).toMatch(/^POST \/write\?db=energy_test_\d+&precision=ms$/);
        expect(proxy.requests.some((r) => r.startsWith('POST /query'))).toBe(true); // CREATE DATABASE and reads
        expect(await store.readings({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + MIN)).toHaveLength(1);
      } finally {
        await cleanup();
        await proxy.close();
      }
    });

    it('answers consumption for many enterprises with one query', async () => {
      const proxy = await startProxy(influxd.url);
      const { store, cleanup } = await newStore({ url: proxy.url });
      try {
        const ids = Array.from({ length: 50 }, (_, i) => `ent${i}`);
        await store.write({
          readings: [],
          hourly: ids.map((enterprise, i) => ({ enterprise, meter: 'm', carrier: 'electricity', unit: 'kWh', hour: T0, quantity: i })),
        });
        const before = proxy.requests.length;
        for (const every of ['1h', '1d', '1mo'] as const) {
          const rows = await store.consumption({
            enterprises: ids,
            from: T0 - 31 * 24 * 60 * MIN,
            to: T0 + 31 * 24 * 60 * MIN,
            every,
            zone: 'Asia/Shanghai',
          });
          expect(rows).toHaveLength(50);
        }
        expect(proxy.requests.slice(before)).toEqual(['POST /query', 'POST /query', 'POST /query'].map((r) => expect.stringContaining(r)));
      } finally {
        await cleanup();
        await proxy.close();
      }
    });

    it('latest between full scans: the recent window plus the known meters silent in it, same answers', async () => {
      const { store, cleanup } = await newStore();
      try {
        const now = Date.now();
        const DAY = 86_400_000;
        const at = (ts: number, meter: string, value: number, quality: Reading['quality'] = 'good'): Reading => ({
          enterprise: 'alu01',
          meter,
          ts,
          value,
          quality,
        });
        const shape = (rows: readonly { meter: string; lastTs: number; lastGood?: Reading }[]): unknown[] =>
          rows.map((l) => [l.meter, now - l.lastTs, l.lastGood === undefined ? null : now - l.lastGood.ts]);
        // 'old' is silent for 10 days (outside the 2-day window); 'badlate' sends only bad readings lately.
        await store.write({
          readings: [
            at(now - 10 * DAY, 'old', 1),
            at(now - 3_600_000, 'live', 2),
            at(now - 5 * DAY, 'badlate', 3),
            at(now - 600_000, 'badlate', 4, 'bad'),
          ],
          hourly: [],
        });
        const expected = [
          ['badlate', 600_000, 5 * DAY],
          ['live', 3_600_000, 3_600_000],
          ['old', 10 * DAY, 10 * DAY],
        ];
        expect(shape(await store.latest(['alu01']))).toEqual(expected); // the full scan
        expect(shape(await store.latest(['alu01']))).toEqual(expected); // window + known silent meters
        // A late reading of the silent meter (still outside the window) and a new one of a live meter.
        await store.write({ readings: [at(now - 9 * DAY, 'old', 5), at(now - 60_000, 'live', 6), at(now - 30_000, 'fresh', 7)], hourly: [] });
        expect(shape(await store.latest(['alu01']))).toEqual([
          ['badlate', 600_000, 5 * DAY],
          ['fresh', 30_000, 30_000],
          ['live', 60_000, 60_000],
          ['old', 9 * DAY, 9 * DAY],
        ]);
        // A meter never seen before whose first readings are old (a gateway catching up after days
        // offline): written through this store, so it is known without waiting for the next full scan.
        await store.write({ readings: [at(now - 4 * DAY, 'catchup', 8)], hourly: [] });
        expect(shape(await store.latest(['alu01']))).toContainEqual(['catchup', 4 * DAY, 4 * DAY]);
      } finally {
        await cleanup();
      }
    });

    it('latest between full scans: polls for other writers, none as the sole writer', async () => {
      const proxy = await startProxy(influxd.url);
      const polling = await newStore({ url: proxy.url });
      const sole = new InfluxTimeSeriesStore({ url: proxy.url, database: polling.database, soleWriter: true }, { logger: silentLogger() });
      await sole.start();
      try {
        const now = Date.now();
        const r = (meter: string, ts: number, value: number): Reading => ({ enterprise: 'alu01', meter, ts, value, quality: 'good' });
        await polling.store.write({ readings: [r('a', now - 60_000, 1)], hourly: [] });
        const readingQueries = (): number => proxy.queries.filter((q) => q.includes('FROM "reading"')).length;
        expect((await sole.latest(['alu01'])).map((l) => l.meter)).toEqual(['a']); // the full scan
        expect((await polling.store.latest(['alu01'])).map((l) => l.meter)).toEqual(['a']);
        // Another writer adds meter b: the polling store sees it at its next call, by a poll ...
        await sole.write({ readings: [r('b', now - 30_000, 2)], hourly: [] });
        const before = readingQueries();
        expect((await polling.store.latest(['alu01'])).map((l) => l.meter)).toEqual(['a', 'b']);
        expect(readingQueries()).toBe(before + 1);
        // ... and the sole writer answers from its own writes without asking InfluxDB.
        expect((await sole.latest(['alu01'])).map((l) => [l.meter, l.lastGood?.value])).toEqual([
          ['a', 1],
          ['b', 2],
        ]);
        expect(readingQueries()).toBe(before + 1);
      } finally {
        await sole.stop();
        await polling.cleanup();
        await proxy.close();
      }
    });

    it('applies meter lists longer than MAX_METER_TERMS to per-meter rows, with the same sums', async () => {
      const { store, cleanup } = await newStore({ zone: 'Asia/Shanghai' });
      try {
        // 50 enterprises, each a main meter with quantity i and a sub-meter with 1000, in the hour T0.
        const ids = Array.from({ length: 50 }, (_, i) => `ent${i}`);
        const hour = (enterprise: string, meter: string, quantity: number) => ({
          enterprise,
          meter,
          carrier: 'electricity',
          unit: 'kWh',
          hour: T0,
          quantity,
        });
        await store.write({ readings: [], hourly: ids.flatMap((e, i) => [hour(e, 'm', i), hour(e, 'sub', 1000)]) });
        const base = {
          enterprises: ids,
          from: Date.parse('2026-03-01T00:00:00+08:00'),
          to: Date.parse('2026-04-01T00:00:00+08:00'),
          every: '1mo',
          zone: 'Asia/Shanghai',
        } as const;
        const byEnterprise = async (q: Parameters<typeof store.consumption>[0]): Promise<Record<string, number>> =>
          Object.fromEntries((await store.consumption(q)).map((r) => [r.enterprise, r.quantity]));
        const mains = Object.fromEntries(ids.map((e, i) => [e, i]));
        // 100 meters listed (50 of them unknown): more than MAX_METER_TERMS.
        const listed = [...ids.map((enterprise) => ({ enterprise, meter: 'm' })), ...ids.map((enterprise) => ({ enterprise, meter: 'nope' }))];
        expect(listed.length).toBeGreaterThan(MAX_METER_TERMS);
        expect(await byEnterprise({ ...base, meters: listed })).toEqual(mains);
        expect(await byEnterprise({ ...base, excludeMeters: ids.map((enterprise) => ({ enterprise, meter: 'sub' })) })).toEqual(mains);
        expect(await byEnterprise({ ...base, every: '1d', excludeMeters: ids.map((enterprise) => ({ enterprise, meter: 'sub' })) })).toEqual(mains);
        // A short list stays in the WHERE and answers the same.
        expect(
          await byEnterprise({
            ...base,
            meters: [
              { enterprise: 'ent7', meter: 'm' },
              { enterprise: 'ent7', meter: 'sub' },
            ],
          }),
        ).toEqual({ ent7: 1007 });
      } finally {
        await cleanup();
      }
    });

    it('rolls up on start what was written before the rollups existed, and day queries read the rollup', async () => {
      // A database from before the rollups: written by a store without the site zone.
      const before = await newStore();
      const key = { enterprise: 'alu01', meter: 'e-main' };
      const hour = (minutes: number, quantity: number) => ({ ...key, carrier: 'electricity', unit: 'kWh', hour: T0 + minutes * MIN, quantity });
      // T0 = 2026-03-01T23:00+08:00: 7.5 on local Mar 1, 2.5 + 1 on Mar 2; one of three readings is bad.
      await before.store.write({
        readings: [reading('alu01', 'e-main', 0, 1), reading('alu01', 'e-main', 60, 2, 'bad'), reading('alu01', 'e-main', 75, 3)],
        hourly: [hour(0, 7.5), hour(60, 2.5), hour(120, 1)],
      });
      await before.store.stop();
      const migrated = new InfluxTimeSeriesStore({ url: influxd.url, database: before.database, zone: 'Asia/Shanghai' }, { logger: silentLogger() });
      try {
        await migrated.start();
        const select = async (q: string): Promise<unknown> => {
          const res = await fetch(`${influxd.url}/query?db=${before.database}&epoch=ms`, { method: 'POST', body: new URLSearchParams({ q }) });
          const body = (await res.json()) as { results: { series?: { values: unknown[][] }[] }[] };
          return body.results[0]?.series?.flatMap((x) => x.values);
        };
        const MAR1 = Date.parse('2026-03-01T00:00:00+08:00');
        const MAR2 = Date.parse('2026-03-02T00:00:00+08:00');
        expect(await select('SELECT quantity FROM consumption_daily')).toEqual([
          [MAR1, 7.5],
          [MAR2, 3.5],
        ]);
        expect(await select('SELECT usable FROM reading_daily')).toEqual([
          [MAR1, 1],
          [MAR2, 1],
        ]);
        const days = { enterprises: ['alu01'], from: MAR1, to: MAR2 + 86_400_000, every: '1d', zone: 'Asia/Shanghai' } as const;
        expect((await migrated.consumption(days)).map((r) => [r.time, r.quantity])).toEqual([
          [MAR1, 7.5],
          [MAR2, 3.5],
        ]);
        // A point put into the rollup behind the store's back shows once its day is marked changed
        // (the rollup_change mark every refresh round writes): whole days are read from the rollup.
        await fetch(`${influxd.url}/write?db=${before.database}&precision=ms`, {
          method: 'POST',
          body: `consumption_daily,carrier=electricity,enterprise=alu01,meter=e-main,unit=kWh,zone=Asia/Shanghai quantity=100 ${MAR2}`,
        });
        expect((await migrated.consumption(days)).map((r) => [r.time, r.quantity])).toEqual([
          [MAR1, 7.5],
          [MAR2, 3.5],
        ]); // cached, day unmarked
        await fetch(`${influxd.url}/write?db=${before.database}&precision=ms`, {
          method: 'POST',
          body: `rollup_change,zone=Asia/Shanghai round="by-hand" ${MAR2}`,
        });
        expect((await migrated.consumption(days)).map((r) => [r.time, r.quantity])).toEqual([
          [MAR1, 7.5],
          [MAR2, 100],
        ]);
        // ... and the next write to that day puts the true sum back (2.5 + 1 + 4).
        await migrated.write({ readings: [], hourly: [hour(180, 4)] });
        expect((await migrated.consumption(days)).map((r) => [r.time, r.quantity])).toEqual([
          [MAR1, 7.5],
          [MAR2, 7.5],
        ]);
        expect(await migrated.countUsable(['alu01'], MAR1, MAR2 + 86_400_000)).toEqual([{ ...key, count: 2 }]);
      } finally {
        await migrated.stop();
        await before.cleanup();
      }
    });

    it('refreshes rollups after the raw writes in coalesced rounds, and reads wait for them', async () => {
      const proxy = await startProxy(influxd.url);
      const { store, cleanup } = await newStore({ url: proxy.url, zone: 'Asia/Shanghai', ...FAST_RETRY });
      try {
        const daySums = (): number => proxy.queries.filter((q) => q.startsWith('SELECT sum(quantity) AS quantity FROM "consumption" ')).length;
        // The first round is held at its first read while 19 more writes land: they all go to round 2.
        const release = proxy.holdWhen((body) => body.startsWith('SELECT sum(quantity) AS quantity FROM "consumption" '));
        const meters = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, '0')}`);
        const write = (meter: string, i: number) =>
          store.write({
            readings: [reading('alu01', meter, 0, 100 + i)],
            hourly: [{ enterprise: 'alu01', meter, carrier: 'electricity', unit: 'kWh', hour: T0, quantity: i + 1 }],
          });
        await write(meters[0]!, 0);
        await Promise.all(meters.slice(1).map((m, i) => write(m, i + 1))); // raw writes do not wait for the held round
        const settled = store.settleRollups();
        release();
        await settled;
        expect(daySums()).toBe(2);
        // 1 + 2 + ... + 20 = 210 kWh on 1 March (local), from the daily rollup, per meter and in total.
        const day = Date.parse('2026-03-01T00:00:00+08:00');
        const rows = await store.consumption({ enterprises: ['alu01'], from: day, to: day + 86_400_000, every: '1d', zone: 'Asia/Shanghai' });
        expect(rows).toEqual([{ enterprise: 'alu01', carrier: 'electricity', unit: 'kWh', time: day, quantity: 210 }]);
        expect(proxy.queries.at(-1)).toContain('FROM "consumption_daily"');
        expect((await store.countUsable(['alu01'], day, day + 86_400_000)).map((c) => c.count)).toEqual(meters.map(() => 1));

        // A failed round keeps its days pending: a rollup read fails rather than answer a stale sum ...
        proxy.failWhen((body) => body.includes('consumption_daily'));
        await store.write({
          readings: [],
          hourly: [{ enterprise: 'alu01', meter: 'm00', carrier: 'electricity', unit: 'kWh', hour: T0, quantity: 11 }],
        });
        await expect(store.settleRollups()).rejects.toBeInstanceOf(DependencyError);
        await expect(
          store.consumption({ enterprises: ['alu01'], from: day, to: day + 86_400_000, every: '1d', zone: 'Asia/Shanghai' }),
        ).rejects.toBeInstanceOf(DependencyError);
        // Backing off: until the retry (1 s after the failure) rounds fail at once, without asking InfluxDB.
        const asked = proxy.requests.length;
        await expect(store.settleRollups()).rejects.toThrow(/retried in \d+ ms/);
        expect(proxy.requests.length).toBe(asked);
        // ... and once InfluxDB takes them again, the retry refreshes it: 210 - 1 + 11.
        proxy.failWhen(undefined);
        await new Promise((r) => setTimeout(r, 1100));
        const again = await store.consumption({ enterprises: ['alu01'], from: day, to: day + 86_400_000, every: '1d', zone: 'Asia/Shanghai' });
        expect(again.map((r) => r.quantity)).toEqual([220]);
      } finally {
        await cleanup();
        await proxy.close();
      }
    });

    it('reads closed days once, and again when any process changed them (rollup_change marks)', async () => {
      const proxy = await startProxy(influxd.url);
      const a = await newStore({ url: proxy.url, zone: 'Asia/Shanghai' });
      // A second instance writing to the same database (a scale-out ingest node).
      const b = new InfluxTimeSeriesStore({ url: influxd.url, database: a.database, zone: 'Asia/Shanghai' }, { logger: silentLogger() });
      await b.start();
      try {
        const hourAt = (hour: number, quantity: number) => ({
          enterprise: 'alu01',
          meter: 'e-main',
          carrier: 'electricity',
          unit: 'kWh',
          hour,
          quantity,
        });
        const feb1 = Date.parse('2026-02-01T00:00:00+08:00');
        const year = {
          enterprises: ['alu01'],
          from: Date.parse('2026-01-01T00:00:00+08:00'),
          to: Date.parse('2026-03-01T00:00:00+08:00'),
          every: '1mo',
          zone: 'Asia/Shanghai',
        } as const;
        await a.store.write({ readings: [], hourly: [hourAt(feb1, 10), hourAt(feb1 + 86_400_000, 5)] });
        const rollupReads = (): number => proxy.queries.filter((q) => q.includes('FROM "consumption_monthly"')).length;
        expect((await a.store.consumption(year)).map((r) => r.quantity)).toEqual([15]);
        const afterFirst = rollupReads();
        expect((await a.store.consumption(year)).map((r) => r.quantity)).toEqual([15]);
        expect(rollupReads()).toBe(afterFirst); // unchanged months: answered from the cache
        // The other instance corrects an hour of 2 February: its round marks the day, so A reads again.
        await b.write({ readings: [], hourly: [hourAt(feb1 + 86_400_000, 7)] });
        await b.settleRollups();
        expect((await a.store.consumption(year)).map((r) => r.quantity)).toEqual([17]);
        expect(rollupReads()).toBe(afterFirst + 1);
      } finally {
        await b.stop();
        await a.cleanup();
        await proxy.close();
      }
    });

    it('retries failed writes with backoff and resolves once the server took them', async () => {
      const proxy = await startProxy(influxd.url);
      const { store, cleanup } = await newStore({ url: proxy.url, ...FAST_RETRY, batchMaxLines: 2 });
      try {
        proxy.failWrites(2);
        const readings = [0, 15, 30, 45, 60].map((m) => reading('alu01', 'e-main', m, m));
        await store.write({ readings, hourly: [] });
        // 5 lines in batches of 2 = 3 requests, plus the 2 injected failures retried.
        expect(proxy.requests.filter((r) => r.includes('write'))).toHaveLength(5);
        expect((await store.readings({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + 120 * MIN)).map((r) => r.value)).toEqual([0, 15, 30, 45, 60]);
      } finally {
        await cleanup();
        await proxy.close();
      }
    });

    it('rejects a write with a DependencyError once retries are spent, and health says not ok', async () => {
      const own = await startInfluxd();
      if (own === undefined) throw new Error('influxd did not start');
      const store = new InfluxTimeSeriesStore({ url: own.url, database: 'gone', ...FAST_RETRY }, { logger: silentLogger() });
      try {
        await store.start();
        expect((await store.health()).ok).toBe(true);
        await own.stop();
        const started = Date.now();
        const error: unknown = await store.write({ readings: [reading('alu01', 'e-main', 0, 1)], hourly: [] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DependencyError);
        expect((error as DependencyError).context).toMatchObject({ dependency: 'influxdb', attempts: 3 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(20); // at least one backoff delay
        const health = await store.health();
        expect(health.ok).toBe(false);
        expect(health.kind).toBe('influxdb');
        expect(health.detail).toEqual(expect.any(String));
        await expect(store.readings({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + MIN)).rejects.toBeInstanceOf(DependencyError);
        await store.stop();
      } finally {
        await own.stop();
      }
    });

    it('does not retry what the server refuses (field type conflict), and reports query errors', async () => {
      const proxy = await startProxy(influxd.url);
      const { store, database, cleanup } = await newStore({ url: proxy.url, ...FAST_RETRY });
      try {
        // Another writer made `value` a string field in this shard; a float is then refused with 400.
        const res = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
          method: 'POST',
          body: `reading,enterprise=x,meter=m value="text" ${T0}`,
        });
        expect(res.status).toBe(204);
        const error: unknown = await store.write({ readings: [reading('alu01', 'e-main', 0, 1)], hourly: [] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ retryable: false, context: { attempts: 1 } });
        expect(proxy.requests.filter((r) => r.includes('write'))).toHaveLength(1);
        await expect(store.consumption({ enterprises: ['x'], from: T0, to: T0 + 86_400_000, every: '1d', zone: 'Not/AZone' })).rejects.toMatchObject({
          name: 'DependencyError',
          message: expect.stringMatching(/time zone/),
        });
      } finally {
        await cleanup();
        await proxy.close();
      }
    });

    it('waits out a paused server instead of failing', async () => {
      const { store, cleanup } = await newStore(FAST_RETRY);
      try {
        influxd.pause();
        const write = store.write({ readings: [reading('alu01', 'e-main', 0, 42)], hourly: [] });
        await new Promise((r) => setTimeout(r, 300));
        influxd.resume();
        await write;
        expect((await store.readings({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + MIN))[0]?.value).toBe(42);
      } finally {
        influxd.resume();
        await cleanup();
      }
    });

    it('treats enterprise ids as data: InfluxQL and regex injection finds nothing', async () => {
      const { store, cleanup } = await newStore();
      try {
        const odd = ['a.b', 'a"b', "o'hara", 'back\\slash x', 'p|q'];
        await store.write({
          readings: [reading('alu01', 'e-main', 0, 1), reading('steel02', 'e-main', 0, 2), ...odd.map((e, i) => reading(e, 'm, x=y "1"', 0, 10 + i))],
          hourly: [{ enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: T0, quantity: 5 }],
        });
        const attacks = [
          "a' OR 1=1 --",
          "alu01' OR enterprise = 'steel02",
          '.*',
          'alu0.',
          'alu01|steel02',
          'alu01)|(steel02',
          'alu01/ OR 1=1',
          'axb',
          'p',
        ];
        for (const attack of attacks) {
          expect(await store.latest([attack])).toEqual([]);
          expect(await store.countUsable([attack], T0, T0 + MIN)).toEqual([]);
          expect(await store.consumption({ enterprises: [attack], from: T0, to: T0 + 3_600_000, every: '1h', zone: 'Asia/Shanghai' })).toEqual([]);
          expect(await store.readings({ enterprise: attack, meter: 'e-main' }, T0, T0 + MIN)).toEqual([]);
          expect(await store.usableNeighbour({ enterprise: attack, meter: 'e-main' }, T0, 'atOrAfter')).toBeUndefined();
        }
        // Ids full of metacharacters and quotes round-trip exactly.
        const latest = await store.latest(odd);
        expect(latest.map((l) => [l.enterprise, l.meter, l.lastGood?.value]).sort()).toEqual(odd.map((e, i) => [e, 'm, x=y "1"', 10 + i]).sort());
        expect((await store.readings({ enterprise: 'a.b', meter: 'm, x=y "1"' }, T0, T0 + MIN)).map((r) => r.value)).toEqual([10]);
      } finally {
        await cleanup();
      }
    });
  });
});

(findVictoriaMetrics() !== undefined ? describe : describe.skip)('InfluxTimeSeriesStore 2.x write path on VictoriaMetrics', () => {
  let vm: InfluxdHandle | undefined;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  }, 30_000);
  afterAll(async () => {
    await vm?.stop();
  });

  it('writes line protocol to /api/v2/write when /ping names no 1.x version', async () => {
    const url = vm!.url;
    const proxy = await startProxy(url);
    const store = new InfluxTimeSeriesStore({ url: proxy.url, database: 'energy', org: 'district', ...FAST_RETRY }, { logger: silentLogger() });
    try {
      await store.start();
      await store.write({
        readings: [reading('alu01', 'e-main', 0, 100.5), reading('alu01', 'e-main', 15, 101.25, 'uncertain')],
        hourly: [{ enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: T0, quantity: 7.5 }],
      });
      const writes = proxy.requests.filter((r) => r.includes('write'));
      expect(writes).toEqual(['POST /api/v2/write?org=district&bucket=energy&precision=ms']);
      expect(proxy.requests.some((r) => r.includes('CREATE') || r.startsWith('POST /query'))).toBe(false); // no 1.x database set-up
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(
        `${url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__=~"reading_value|consumption_quantity"}', start: '0' }).toString()}`,
      );
      const series = (await res.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] })
        .sort((a, b) => (a.metric.__name__ ?? '').localeCompare(b.metric.__name__ ?? ''));
      expect(series).toEqual([
        {
          metric: { __name__: 'consumption_quantity', enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh' },
          values: [7.5],
          timestamps: [T0],
        },
        { metric: { __name__: 'reading_value', enterprise: 'alu01', meter: 'e-main' }, values: [100.5, 101.25], timestamps: [T0, T0 + 15 * MIN] },
      ]);
      expect((await store.health()).ok).toBe(true);
    } finally {
      await store.stop();
      await proxy.close();
    }
  });
});
