/**
 * HTTP hardening on the real Express app with stub dependencies: security headers and CSP, the
 * /api rate limit (429 as the contract's JSON error), /metrics, client errors as JSON instead of
 * 500, and no request credential in any log line a failing request writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ConsumptionService } from '../../services/figures/consumptionService';
import { HttpServer, type HttpDeps } from '../../services/http/httpServer';
import { createLogger, type Logger } from '../../services/core/log';
import { Metrics } from '../../services/observability/metrics';
import type { StateStore } from '../../services/store/state/stateStore';
import type { AlarmStore } from '../../services/store/state/alarmStore';
import type { MonthlyStatisticsStore } from '../../services/store/state/monthlyStatisticsStore';
import type { TimeSeriesStore } from '../../services/store/timeSeriesStore';
import type { StatusService } from '../../services/figures/statusService';
import { testConfig } from '../helpers/config';
import { authSection, TOKENS } from '../helpers/app';

const config = testConfig({ auth: authSection() });

/** The service's own logger (services/core/log.ts) with its output captured instead of written to stdout. */
function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug' });
  Object.assign(logger, { [pino.symbols.streamSym]: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

type Stubs = { consumption?: Partial<ConsumptionService>; health?: HttpDeps['health'] };

async function serve(
  overrides: Omit<Partial<HttpDeps>, 'consumption'> & Stubs = {},
  tls?: { cert: Buffer; key: Buffer },
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { consumption, ...rest } = overrides;
  const deps: HttpDeps = {
    config,
    consumption: {
      electricityBasis: 'equivalent',
      align: (from: number, to: number) => ({ from, to }),
      series: async () => new Map(),
      ...consumption,
    } as unknown as ConsumptionService,
    state: { listQuarantine: async () => [], countQuarantine: async () => ({}) } as unknown as StateStore,
    status: { statusAt: async () => new Map() } as unknown as StatusService,
    alarms: { list: async () => [], get: async () => undefined, openAlarms: async () => [] } as unknown as AlarmStore,
    outputs: { put: async () => undefined, outputs: async () => [] } as unknown as MonthlyStatisticsStore,
    store: { latest: async () => [], countUsable: async () => [] } as unknown as TimeSeriesStore,
    replay: async () => ({ replayed: [], stillRejected: [] }),
    health: async () => ({ store: { ok: true } }),
    logger: createLogger({ level: 'silent' }),
    now: () => Date.parse('2026-11-28T08:00:00+08:00'),
    ...rest,
  };
  const server = new HttpServer({ port: 0, host: '127.0.0.1', ...(tls && { tls }) }, deps);
  await server.start();
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security headers', () => {
  it('sends a strict CSP and the other helmet headers on every answer', async () => {
    const svc = await serve();
    try {
      for (const p of ['/healthz', '/api/enterprises', '/nowhere']) {
        const res = await fetch(`${svc.url}${p}`, { headers: bearer(TOKENS.admin) });
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        // Only style attributes may be inline (ECharts' hover layer); never scripts or style elements.
        expect(csp.replace("style-src-attr 'unsafe-inline'", '')).not.toContain('unsafe-inline');
        expect(csp).toContain("script-src-attr 'none'");
        expect(csp).not.toContain('unsafe-eval');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        // Plain HTTP: no HSTS (issue 14; sent on HTTPS only, see below and httpSecurity.test.ts).
        expect(res.headers.get('strict-transport-security')).toBeNull();
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
    } finally {
      await svc.stop();
    }
  });
});

describe('HTTPS', () => {
  it('serves the same app over TLS when given a certificate and key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'energy-https-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { cwd: dir, stdio: 'pipe' },
      );
      const cert = readFileSync(path.join(dir, 'cert.pem'));
      const svc = await serve({}, { cert, key: readFileSync(path.join(dir, 'key.pem')) });
      try {
        const res = await new Promise<{ status: number; hsts: string | undefined; body: string }>((resolve, reject) => {
          https
            .get(`${svc.url}/healthz`, { ca: cert }, (r) => {
              let body = '';
              r.on('data', (d: Buffer) => (body += d.toString()));
              r.on('end', () => resolve({ status: r.statusCode ?? 0, hsts: r.headers['strict-transport-security'], body }));
            })
            .on('error', reject);
        });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
        expect(res.hsts).toMatch(/max-age=\d+/);
      } finally {
        await svc.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limit on /api', () => {
  it('answers 429 with the contract error and RateLimit headers, counted per token, and per address without a valid one', async () => {
    const svc = await serve({ rateLimit: { windowMs: 60_000, max: 3 } });
    try {
      const get = (headers: Record<string, string>) => fetch(`${svc.url}/api/enterprises`, { headers });
      for (let i = 0; i < 3; i++) expect((await get(bearer(TOKENS.admin))).status).toBe(200);
      const limited = await get(bearer(TOKENS.admin));
      expect(limited.status).toBe(429);
      expect(await limited.json()).toEqual({ error: { code: 'rate-limited', message: expect.any(String) } });
      expect(limited.headers.get('ratelimit-policy')).toMatch(/q=3/);
      expect(limited.headers.get('ratelimit')).toMatch(/r=0/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another token has its own budget.
      const officer = await get(bearer(TOKENS.officer));
      expect(officer.status).toBe(200);
      expect(officer.headers.get('ratelimit')).toMatch(/r=2/);
      // Tokenless and wrong-token requests share the address's budget, so guessing tokens is limited too.
      expect((await get({})).status).toBe(401);
      expect((await get(bearer('guess-1'))).status).toBe(401);
      expect((await get(bearer('guess-2'))).status).toBe(401);
      expect((await get(bearer('guess-3'))).status).toBe(429);
      // /healthz without credentials is not limited; with a token it counts (no unlimited token oracle).
      expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${svc.url}/healthz`, { headers: bearer(TOKENS.admin) })).status).toBe(429);
      expect((await fetch(`${svc.url}/healthz`, { headers: bearer('guess-4') })).status).toBe(429);
    } finally {
      await svc.stop();
    }
  });
});

describe('/metrics', () => {
  // Changed on purpose (issue 14): a token by default; no token only with METRICS=public.
  it('serves the Prometheus text to a staff token by default, to anyone when public, and 404 when off or not given', async () => {
    const metrics = new Metrics();
    metrics.messages(2);
    const on = await serve({ metrics });
    const open = await serve({ metrics, metricsAccess: 'public' });
    const off = await serve({ metrics, metricsAccess: 'off' });
    const none = await serve();
    try {
      const anonymous = await fetch(`${on.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      for (const svc of [on, open]) {
        const res = await fetch(`${svc.url}/metrics`, { headers: svc === on ? bearer(TOKENS.auditor) : {} });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        const text = await res.text();
        expect(text).toContain('energy_messages_total 2');
        expect(text).toContain('energy_process_resident_memory_bytes');
      }
      for (const svc of [off, none]) {
        const missing = await fetch(`${svc.url}/metrics`);
        expect(missing.status).toBe(404);
        expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
      }
    } finally {
      await Promise.all([on.stop(), open.stop(), off.stop(), none.stop()]);
    }
  });
});

describe('client errors answer as JSON with their own status', () => {
  it('bad percent-encoding in a path parameter is a 400, an unknown charset a 415, an oversized header block a 431', async () => {
    const svc = await serve();
    try {
      const badParam = await fetch(`${svc.url}/api/enterprises/%E0%A4%A/consumption`, { headers: bearer(TOKENS.admin) });
      expect(badParam.status).toBe(400);
      expect(await badParam.json()).toEqual({ error: { code: 'bad-request', message: expect.any(String) } });
      const charset = await fetch(`${svc.url}/api/quarantine/replay`, {
        method: 'POST',
        headers: { ...bearer(TOKENS.admin), 'content-type': 'application/json; charset=ebcdic' },
        body: '{"all": true}',
      });
      expect(charset.status).toBe(415);
      expect(await charset.json()).toEqual({ error: { code: 'unsupported-media-type', message: expect.any(String) } });
      const huge = await fetch(`${svc.url}/api/enterprises?x=${'a'.repeat(20_000)}`, { headers: bearer(TOKENS.admin) });
      expect(huge.status).toBe(431);
      expect(await huge.json()).toEqual({ error: { code: 'headers-too-large', message: expect.any(String) } });
      // A request line Node cannot parse at all.
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(svc.url).port), '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toContain('{"error":{"code":"bad-request"');
    } finally {
      await svc.stop();
    }
  });
});

describe('no credential in the logs', () => {
  const SECRET = TOKENS.admin;
  /** An error as a misbehaving dependency might raise it: the credential in its message, properties, cause. */
  const leakyError = () =>
    Object.assign(new Error(`upstream refused Authorization: Bearer ${SECRET}`), {
      request: { method: 'GET', headers: { authorization: `Bearer ${SECRET}`, Accept: 'application/json' } },
      config: { auth: SECRET, nested: { deeper: { deepest: { value: `token ${SECRET} here` } } } },
      cause: new Error(`retry with ${SECRET} failed`),
    });

  it('a failing request with a bearer token writes the failure, never the token', async () => {
    const { logger, lines } = capturedLogger();
    const svc = await serve({
      logger,
      consumption: {
        series: async () => {
          throw leakyError();
        },
      },
      health: async () => {
        throw leakyError();
      },
    });
    try {
      const failing = await fetch(`${svc.url}/api/enterprises/alu01/consumption?every=1d`, { headers: bearer(SECRET) });
      expect(failing.status).toBe(500);
      expect(await failing.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
      // An unauthenticated route still receives whatever header the client sends.
      const health = await fetch(`${svc.url}/healthz`, { headers: { ...bearer(SECRET), cookie: `session=${SECRET}` } });
      expect(health.status).toBe(500);
    } finally {
      await svc.stop();
    }
    const failures = lines.filter((l) => l.includes('request failed'));
    expect(failures).toHaveLength(2);
    for (const line of failures) {
      const entry = JSON.parse(line) as { level: number; err: { message: string; stack: string }; path: string };
      expect(entry.level).toBe(50);
      // The failure itself is still there to debug with.
      expect(entry.err.message).toBe('upstream refused Authorization: [redacted]: retry with [redacted] failed');
      expect(entry.err.stack).toContain('Error: upstream refused Authorization: [redacted]');
    }
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).toContain('[redacted]');
  });

  it('(control) the path redaction of the logger alone would have written it', () => {
    const { logger, lines } = capturedLogger();
    logger.error({ err: leakyError(), method: 'GET', path: '/x' }, 'request failed');
    expect(lines.join('\n')).toContain(SECRET);
  });
});
