/**
 * A report storm on the running service (issue 14, item 4): eight concurrent district PDFs with
 * rendering bounded to one at a time and two waiting. Beyond the bound the service answers 503
 * with Retry-After at once, every accepted answer is a whole PDF, and /healthz keeps answering
 * while PDFs are still outstanding (counted by order of arrival, not by time).
 */
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const at = (iso: string) => Date.parse(iso);
const config = testConfig({ auth: authSection() });
const hour = (enterprise: string, meter: string, quantity: number, iso: string): HourlyConsumption => ({
  enterprise,
  meter,
  carrier: 'electricity',
  unit: 'kWh',
  hour: at(iso),
  quantity,
});
const STORM = 8;
const LIMITS = { REPORT_CONCURRENCY: '1', REPORT_QUEUE: '2' } as const;

interface Health {
  status: string;
  reportRendering?: {
    mode: string;
    concurrency: number;
    queueLimit: number;
    active: number;
    queued: number;
    refused: number;
    renderedInWorker: number;
  };
}

describe('report rendering under a storm of PDF requests', () => {
  let svc: RunningApp;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    // The pool reads its bounds from the environment (renderPoolOptionsFromEnv) when the app is built.
    for (const [name, value] of Object.entries(LIMITS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    svc = await startApp(config, {}, { now: () => at('2026-12-01T01:00:00+08:00') });
    await svc.app.store.write({
      readings: [],
      hourly: [hour('alu01', 'e-main', 1_000_000, '2026-11-10T10:00:00+08:00'), hour('cem01', 'e-main', 100_000, '2026-11-12T10:00:00+08:00')],
    });
  });
  afterAll(async () => {
    await svc?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  const health = async (token?: string): Promise<{ status: number; body: Health }> => {
    const res = await fetch(`${svc.baseUrl}/healthz`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as Health };
  };

  it('refuses past the bound with 503 and Retry-After, serves whole PDFs, and /healthz answers meanwhile', async () => {
    let outstanding = STORM;
    const pdfs = Array.from({ length: STORM }, async () => {
      const res = await fetch(`${svc.baseUrl}/api/reports/monthly?month=2026-11&format=pdf`, {
        headers: { authorization: `Bearer ${TOKENS.auditor}` },
      });
      const body = Buffer.from(await res.arrayBuffer());
      outstanding--;
      return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') ?? '', body };
    });
    // Probes one after another, without a token (as a load balancer), for as long as PDFs are outstanding.
    let answeredDuringStorm = 0;
    let unhealthy = 0;
    let probesWhileRendering = 0;
    while (outstanding > 0) {
      const probe = await health();
      if (probe.status !== 200) unhealthy++;
      if (outstanding > 0) answeredDuringStorm++;
      // One with a staff token: sees a render in progress when it answers (the render runs in a worker).
      const detailed = await health(TOKENS.admin);
      if (outstanding > 0 && (detailed.body.reportRendering?.active ?? 0) > 0) probesWhileRendering++;
    }
    const answers = await Promise.all(pdfs);

    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    expect(accepted.length + refused.length).toBe(STORM);
    // One rendering and two waiting are always accepted; the storm is bigger than that.
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const a of accepted) {
      expect(a.type).toBe('application/pdf');
      expect(a.body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(a.body.subarray(-6).toString()).toMatch(/%%EOF\s*$/);
    }
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(Number(r.retryAfter))).toBe(true);
      expect(JSON.parse(r.body.toString())).toEqual({
        error: { code: 'report-rendering-unavailable', message: expect.stringContaining('Retry-After') },
      });
    }
    expect(unhealthy).toBe(0);
    expect(answeredDuringStorm).toBeGreaterThanOrEqual(1);
    expect(probesWhileRendering).toBeGreaterThanOrEqual(1);

    const after = await health(TOKENS.admin);
    expect(after.body.reportRendering).toMatchObject({
      mode: 'worker',
      concurrency: 1,
      queueLimit: 2,
      active: 0,
      queued: 0,
      refused: refused.length,
    });
    expect(after.body.reportRendering?.renderedInWorker).toBeGreaterThanOrEqual(accepted.length);
    // The details are for staff only.
    expect((await health()).body.reportRendering).not.toHaveProperty('mode');

    // Slots are all free again.
    const again = await fetch(`${svc.baseUrl}/api/reports/monthly?month=2026-11&format=pdf`, {
      headers: { authorization: `Bearer ${TOKENS.officer}` },
    });
    expect(again.status).toBe(200);
  });
});
