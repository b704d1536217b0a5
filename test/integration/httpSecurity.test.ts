/**
 * Issue 14's HTTP findings on the running service: TLS behind a proxy (TRUST_PROXY, the session
 * cookie's Secure flag, HSTS on secure requests only), /metrics access (METRICS), what /healthz
 * shows without a token, strict alarm ids, compressed bodies that fail to decode, and the bind
 * address (HTTP_HOST, loopback by default).
 */
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { ConfigError } from '../../config/load';
import { HttpServer, type HttpDeps } from '../../services/http/httpServer';
import { applyTrustProxy, trustProxySetting } from '../../services/http/trustProxy';
import { createLogger } from '../../services/core/log';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const config = testConfig({ auth: authSection() });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /api/session with a token; the Set-Cookie header and HSTS of the answer. */
async function signIn(svc: RunningApp, headers: Record<string, string>): Promise<{ status: number; cookie: string; hsts: string | null }> {
  const res = await fetch(`${svc.baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token: TOKENS.officer }),
  });
  return { status: res.status, cookie: res.headers.get('set-cookie') ?? '', hsts: res.headers.get('strict-transport-security') };
}

describe('behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  let direct: RunningApp;
  let proxied: RunningApp;
  let elsewhere: RunningApp;
  beforeAll(async () => {
    direct = await startApp(config);
    // The test client connects from 127.0.0.1: one trusted hop, as a proxy on the same host.
    proxied = await startApp(config, { trustProxy: '1' });
    // A proxy at another address: the loopback client is not it, so its headers are not believed.
    elsewhere = await startApp(config, { trustProxy: '10.0.0.5' });
  });
  afterAll(async () => Promise.all([direct?.stop(), proxied?.stop(), elsewhere?.stop()]));

  it('marks the session cookie Secure and sends HSTS when the trusted proxy says the request came over HTTPS', async () => {
    const res = await signIn(proxied, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.cookie).toMatch(/^em_session=/);
    expect(res.cookie).toMatch(/;\s*Secure/i);
    expect(res.cookie).toMatch(/;\s*HttpOnly/i);
    expect(res.cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(res.hsts).toMatch(/^max-age=31536000/);
  });

  it('sends neither over plain HTTP through the proxy', async () => {
    const res = await signIn(proxied, { 'x-forwarded-proto': 'http' });
    expect(res.status).toBe(200);
    expect(res.cookie).not.toMatch(/;\s*Secure/i);
    expect(res.hsts).toBeNull();
  });

  it('ignores X-Forwarded-Proto from a client that is not a trusted proxy (unset, or another address)', async () => {
    for (const svc of [direct, elsewhere]) {
      const res = await signIn(svc, { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(200);
      expect(res.cookie).not.toMatch(/;\s*Secure/i);
      expect(res.hsts).toBeNull();
    }
  });

  it('reads hop counts, booleans and address lists, and stops start-up on an address Express cannot parse', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('false')).toBe(false);
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting('2')).toBe(2);
    expect(trustProxySetting('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    const app = express();
    expect(() => applyTrustProxy(app, 'proxy.example.org')).toThrow(ConfigError);
    expect(() => applyTrustProxy(app, 'proxy.example.org')).toThrow(/TRUST_PROXY/);
    applyTrustProxy(app, '10.0.0.0/8, fd00::/8');
    expect(typeof app.get('trust proxy fn')).toBe('function');
  });
});

describe('/metrics (METRICS) and /healthz', () => {
  let byToken: RunningApp;
  let open: RunningApp;
  let off: RunningApp;
  beforeAll(async () => {
    byToken = await startApp(config);
    open = await startApp(config, { metrics: 'public' });
    off = await startApp(config, { metrics: 'off' });
  });
  afterAll(async () => Promise.all([byToken?.stop(), open?.stop(), off?.stop()]));

  const metrics = (svc: RunningApp, token?: string) => fetch(`${svc.baseUrl}/metrics`, { headers: token ? bearer(token) : {} });

  it('asks for a staff bearer token by default', async () => {
    expect((await metrics(byToken)).status).toBe(401);
    expect((await metrics(byToken, 'not-a-token')).status).toBe(401);
    const enterprise = await metrics(byToken, TOKENS.alu01);
    expect(enterprise.status).toBe(403);
    expect(await enterprise.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    for (const token of [TOKENS.admin, TOKENS.officer, TOKENS.auditor]) {
      const res = await metrics(byToken, token);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^energy_mqtt_connected 1$/m);
    }
  });

  it('serves anyone with METRICS=public and no one with METRICS=off', async () => {
    const res = await metrics(open);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('energy_readings_stored_total');
    const gone = await metrics(off, TOKENS.admin);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: { code: 'not-found', message: expect.any(String) } });
  });

  it('shows no host name, PID, address, version or error text without a staff token; everything with one', async () => {
    const hostname = os.hostname();
    const full = await fetch(`${byToken.baseUrl}/healthz`, { headers: bearer(TOKENS.auditor) });
    expect(full.status).toBe(200);
    const fullText = await full.text();
    // The lease holder is "<host>/<pid>/<label>" (services/store/state/lease.ts): the details carry it.
    expect(fullText).toContain(hostname);
    expect(fullText).toContain(`/${process.pid}/`);
    for (const headers of [{}, bearer(TOKENS.alu01), bearer('not-a-token')]) {
      const res = await fetch(`${byToken.baseUrl}/healthz`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).not.toContain(hostname);
      expect(text).not.toContain(`/${process.pid}/`);
      const body = JSON.parse(text) as Record<string, unknown>;
      // What load balancers and the contract need stays.
      expect(body).toMatchObject({
        status: 'ok',
        mqtt: { ok: true },
        store: { ok: true, kind: 'sqlite' },
        scaleOut: { role: 'all', rulesActive: true, lease: { held: true } },
      });
      // No string anywhere but the few public words.
      const strings: string[] = [];
      JSON.stringify(body, (key, v: unknown) => {
        if (typeof v === 'string' && key !== 'status') strings.push(`${key}=${v}`);
        return v;
      });
      expect(strings.sort()).toEqual(['broker=embedded', 'kind=sqlite', 'role=all']);
    }
  });
});

describe('alarm ids', () => {
  let svc: RunningApp;
  const t0 = Date.parse('2026-11-28T08:00:00+08:00');
  beforeAll(async () => {
    svc = await startApp(config);
    // Alarms 1 ... 17 (one open alarm per meter).
    for (let i = 1; i <= 17; i++) {
      await svc.app.alarms.raise(
        { type: 'threshold', enterprise: 'alu01', meter: `m${i}`, severity: 'warning', value: 2, threshold: 1, unit: 'kW', message: `alarm ${i}` },
        t0,
      );
    }
  });
  afterAll(async () => svc?.stop());

  it('takes only plain decimal ids: 0x11, 1e1, 017 and the like are a 400, never another alarm', async () => {
    expect((await svc.app.alarms.get(17))?.state).toBe('active');
    for (const id of [
      '0x11',
      '0X11',
      '1e1',
      '1.7e1',
      '017',
      '+17',
      '17.0',
      '%2017',
      '17%20',
      '17abc',
      '0b10001',
      '0o21',
      '0',
      '-17',
      '9007199254740993',
      '1'.repeat(30),
    ]) {
      const res = await svc.post(`/api/alarms/${id}/ack`, {}, TOKENS.officer);
      expect({ id, status: res.status }).toEqual({ id, status: 400 });
      expect(res.body).toEqual({ error: { code: 'bad-request', message: expect.stringContaining('decimal integer') } });
    }
    expect((await svc.app.alarms.get(17))?.state).toBe('active');
    expect((await svc.app.alarms.get(10))?.state).toBe('active');
    expect((await svc.app.alarms.get(1))?.state).toBe('active');
    const ack = await svc.post('/api/alarms/17/ack', {}, TOKENS.officer);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: 17, state: 'acknowledged', acknowledgedBy: 'officer' });
    expect((await svc.post('/api/alarms/18/ack', {}, TOKENS.officer)).status).toBe(404);
  });
});

describe('compressed request bodies', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp(config);
  });
  afterAll(async () => svc?.stop());

  const put = (body: Buffer, encoding: string) =>
    fetch(`${svc.baseUrl}/api/enterprises/alu01/output/2026-01`, {
      method: 'PUT',
      headers: { ...bearer(TOKENS.officer), 'content-type': 'application/json', 'content-encoding': encoding },
      body: new Uint8Array(body),
    });

  it('decodes a valid gzip body', async () => {
    const res = await put(gzipSync(JSON.stringify({ outputValue10kYuan: 12.5 })), 'gzip');
    expect(res.status).toBe(200);
  });

  it("answers a body that does not decode with a fixed message, not zlib's", async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await put(Buffer.from('this is not compressed at all'), encoding);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body).toEqual({ error: { code: 'bad-encoding', message: `the request body is not valid ${encoding} data` } });
      expect(body.error.message).not.toMatch(/header check|invalid|zlib|Z_|ERR_/i);
    }
    // Truncated gzip: zlib's "unexpected end of file" is not echoed either.
    const truncated = await put(gzipSync(JSON.stringify({ outputValue10kYuan: 1 })).subarray(0, 12), 'gzip');
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toEqual({ error: { code: 'bad-encoding', message: 'the request body is not valid gzip data' } });
  });
});

describe('bind address (HTTP_HOST)', () => {
  it('listens on loopback unless told otherwise', async () => {
    const svc = await startApp(config);
    try {
      expect(svc.app.http.address).toBe('127.0.0.1');
    } finally {
      await svc.stop();
    }
    const deps = { config, logger: createLogger({ level: 'silent' }) } as unknown as HttpDeps;
    const bare = new HttpServer({ port: 0 }, deps);
    const everywhere = new HttpServer({ port: 0, host: '0.0.0.0' }, deps);
    await bare.start();
    await everywhere.start();
    try {
      expect(bare.address).toBe('127.0.0.1');
      expect(everywhere.address).toBe('0.0.0.0');
    } finally {
      await Promise.all([bare.stop(), everywhere.stop()]);
    }
  });
});
