/**
 * The dashboard's server side over HTTP (the browser suite drives the page itself): the page and
 * its assets from this server only, cookie sessions and their limits, the live event stream and
 * what each role receives on it, and the overview and meter figures, hand-computed.
 */
import mqtt from 'mqtt';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { nineDigits } from '../helpers/figures';

// 2 March 2026 01:00 in Chongqing.
const AT = Date.parse('2026-03-02T01:00:00+08:00');

const config = testConfig({
  auth: authSection(),
  parks: [{ id: 'baitao', name: '白涛化工园区' }],
  enterprises: [
    {
      id: 'alu01',
      name: '重庆示例铝业有限公司',
      industry: '3216',
      quotas: [{ year: 2026, totalTce: 50 }],
      meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 }],
    },
    {
      id: 'cem01',
      name: '测试水泥',
      industry: '3011',
      park: 'baitao',
      quotas: [{ year: 2026, totalTce: 10 }],
      meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 }],
    },
  ],
});

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent event stream with fetch, as the browser's EventSource would. */
function sse(url: string, headers: Record<string, string>): { events: SseEvent[]; status: Promise<number>; close(): void } {
  const events: SseEvent[] = [];
  const abort = new AbortController();
  const status = fetch(url, { headers, signal: abort.signal }).then((res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = (): Promise<void> =>
      reader.read().then(
        ({ done, value }) => {
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
          }
          return pump();
        },
        () => undefined,
      );
    void pump();
    return res.status;
  });
  return { events, status, close: () => abort.abort() };
}

describe('dashboard server side', () => {
  let svc: RunningApp;

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const signIn = async (token: string): Promise<string> => {
    const res = await fetch(`${svc.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^em_session=[A-Za-z0-9_-]{43};/);
    return setCookie.split(';')[0]!;
  };

  it('serves the page, its script, its styles and ECharts itself, under a CSP that allows only this origin', async () => {
    const page = await fetch(`${svc.baseUrl}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of ['/static/app.js', '/static/app.css', '/static/vendor/echarts.min.js']) {
      const res = await fetch(`${svc.baseUrl}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
    expect((await fetch(`${svc.baseUrl}/static/../package.json`)).status).toBe(404);
  });

  it('signs in with a configured token into an httpOnly SameSite=Strict cookie, and out again', async () => {
    const bad = await fetch(`${svc.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const res = await fetch(`${svc.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKENS.officer }),
    });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(await res.json()).toEqual({ signedIn: true, name: 'officer', role: 'officer', enterprise: null });
    const cookie = setCookie.split(';')[0]!;

    expect(await (await fetch(`${svc.baseUrl}/api/session`)).json()).toEqual({ signedIn: false });
    expect(await (await fetch(`${svc.baseUrl}/api/session`, { headers: { cookie } })).json()).toMatchObject({ signedIn: true, role: 'officer' });
    expect((await fetch(`${svc.baseUrl}/api/alarms`, { headers: { cookie } })).status).toBe(200);
    // A bearer header, when present, decides: a wrong one is refused even with a good cookie.
    expect((await fetch(`${svc.baseUrl}/api/alarms`, { headers: { cookie, authorization: 'Bearer wrong' } })).status).toBe(401);

    // A cookie-authenticated write needs X-Requested-With (no cross-site form can set it).
    const forged = await fetch(`${svc.baseUrl}/api/alarms/1/ack`, { method: 'POST', headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toContain('X-Requested-With');
    expect(
      (await fetch(`${svc.baseUrl}/api/alarms/1/ack`, { method: 'POST', headers: { cookie, 'x-requested-with': 'energy-dashboard' } })).status,
    ).toBe(404);

    const out = await fetch(`${svc.baseUrl}/api/session`, { method: 'DELETE', headers: { cookie, 'x-requested-with': 'energy-dashboard' } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/em_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await fetch(`${svc.baseUrl}/api/alarms`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toContain('sign in again');
  });

  it('streams readings and alarms live, each role only what it may see, and computes the overview and meters', async () => {
    const officer = sse(`${svc.baseUrl}/api/events`, { cookie: await signIn(TOKENS.officer) });
    const manager = sse(`${svc.baseUrl}/api/events`, { authorization: `Bearer ${TOKENS.alu01}` });
    try {
      expect(await officer.status).toBe(200);
      expect(await manager.status).toBe(200);
      await eventually(() => expect(manager.events.map((e) => e.event)).toContain('hello'));

      for (const [enterprise, value] of [
        ['alu01', 400_000],
        ['cem01', 100_000],
      ] as const) {
        const gw = await mqtt.connectAsync(svc.mqttUrl, {
          username: enterprise,
          password: MQTT_PASSWORDS[enterprise],
          clientId: `gw-${enterprise}-${process.pid}`,
          reconnectPeriod: 0,
        });
        await gw.publishAsync(
          `energy/${enterprise}/e-main`,
          JSON.stringify([
            { ts: '2026-03-01T00:00:00+08:00', value: 0 },
            { ts: '2026-03-02T00:00:00+08:00', value },
          ]),
          { qos: 1 },
        );
        await gw.endAsync();
      }
      const readingsOf = (s: typeof officer) =>
        s.events.filter((e) => e.event === 'readings').flatMap((e) => e.data as { enterprise: string; meter: string; ts: string; value: number }[]);
      await eventually(() => expect(new Set(readingsOf(officer).map((r) => r.enterprise))).toEqual(new Set(['alu01', 'cem01'])));
      // The newest reading per meter, in the site zone.
      expect(readingsOf(officer)).toContainEqual({
        enterprise: 'alu01',
        meter: 'e-main',
        ts: '2026-03-02T00:00:00.000+08:00',
        value: 400_000,
        quality: 'good',
      });
      await svc.settle();
      await new Promise((r) => setTimeout(r, 1500));
      expect(readingsOf(manager).length).toBeGreaterThan(0);
      expect(readingsOf(manager).every((r) => r.enterprise === 'alu01')).toBe(true);

      // Hand-computed: alu01 400,000 kWh x 0.1229 kgce/kWh = 49.16 tce (98.32 % of 50); cem01 12.29 tce (122.9 % of 10).
      await svc.app.rules.evaluate(AT);
      const alarmsOf = (s: typeof officer) =>
        s.events
          .filter((e) => e.event === 'alarm')
          .map((e) => e.data as { kind: string; alarm: { enterprise: string; type: string; severity: string } });
      await eventually(() =>
        expect(
          alarmsOf(officer)
            .map((a) => `${a.kind} ${a.alarm.enterprise} ${a.alarm.type}`)
            .sort(),
        ).toEqual(['raised alu01 quota', 'raised cem01 quota']),
      );
      await eventually(() => expect(alarmsOf(manager).map((a) => `${a.kind} ${a.alarm.enterprise}`)).toEqual(['raised alu01']));

      // Acknowledging goes out on the stream too.
      const alu = (await svc.get('/api/alarms?enterprise=alu01')).body as { id: number }[];
      expect((await svc.post(`/api/alarms/${alu[0]!.id}/ack`, undefined, TOKENS.officer)).status).toBe(200);
      await eventually(() => expect(alarmsOf(manager).map((a) => a.kind)).toEqual(['raised', 'acknowledged']));
    } finally {
      officer.close();
      manager.close();
    }

    const overview = (await svc.get('/api/district/overview', TOKENS.officer)).body as {
      at: string;
      today: { dualControlTce: number; alarmsRaised: number };
      month: { dualControlTce: number; byCarrier: Record<string, { quantity: number; unit: string; tce: number }> };
      ytd: {
        dualControlTce: number;
        quotaTotalTce: number;
        share: number;
        byIndustry: Record<string, { dualControlTce: number }>;
        byPark: Record<string, { dualControlTce: number }>;
      };
      industries: Record<string, string>;
      parks: Record<string, string>;
      enterprises: {
        id: string;
        monthTce: number;
        quota: { level: string; share: number; overrunTce: number | null; exhausted: boolean; exhaustionDate: string | null } | null;
        alarms: { critical: number };
      }[];
      thresholds: { quota: Record<string, number>; intensity: Record<string, number>; carbon: Record<string, number> };
    };
    expect(overview.at).toBe('2026-03-02T01:00:00.000+08:00');
    // Nothing consumed yet on 2 March (the readings end at 00:00); both alarms were raised at 01:00.
    expect(overview.today).toMatchObject({ dualControlTce: 0, alarmsRaised: 2 });
    expect(overview.month.dualControlTce).toBeCloseTo(61.45, 9);
    expect(overview.month.byCarrier.electricity).toMatchObject({ quantity: 500_000, unit: 'kWh' });
    expect(overview.ytd.dualControlTce).toBeCloseTo(61.45, 9);
    expect(overview.ytd.quotaTotalTce).toBe(60);
    // API figures keep 9 significant digits (contract 8).
    expect(overview.ytd.share).toBe(nineDigits(61.45 / 60));
    expect(overview.ytd.byIndustry['3216']!.dualControlTce).toBeCloseTo(49.16, 9);
    expect(overview.ytd.byIndustry['3011']!.dualControlTce).toBeCloseTo(12.29, 9);
    expect(overview.industries).toEqual({ '3216': '铝冶炼', '3011': '水泥制造' });
    // Parks (contract 9): cem01 is in baitao, alu01 in no park.
    expect(Object.keys(overview.ytd.byPark)).toEqual(['baitao']);
    expect(overview.ytd.byPark.baitao!.dualControlTce).toBeCloseTo(12.29, 9);
    expect(overview.parks).toEqual({ baitao: '白涛化工园区' });
    const cem = overview.enterprises.find((e) => e.id === 'cem01')!;
    expect(cem.monthTce).toBeCloseTo(12.29, 9);
    expect(cem.quota).toMatchObject({ level: 'red' });
    expect(cem.quota!.share).toBeCloseTo(1.229, 12);
    expect(cem.alarms.critical).toBe(1);
    // Stated trouble (issue 21). cem01: 12.29 of 10 tce, share >= 1: exhausted, the crossing date unknown.
    expect(cem.quota).toMatchObject({ exhausted: true, exhaustionDate: null });
    // alu01: 49.16 of 50 tce at 2 March 01:00 = 60 d 1 h = 1,441 h of 8,760 h: forecast 49.16 x 8,760 / 1,441
    // = 298.849133 tce, overrun 248.849133 (9 significant digits); at that pace 50 tce is reached after
    // 1,441 h x 50 / 49.16 = 1,465.62 h = 61.07 d, i.e. on 3 March (1 March is day 59, 3 March day 61).
    const alu = overview.enterprises.find((e) => e.id === 'alu01')!;
    expect(alu.quota).toMatchObject({ level: 'red', exhausted: false, exhaustionDate: '2026-03-03', overrunTce: 248.849133 });
    // The legend's thresholds are the configured rules (contract 3 defaults here).
    expect(overview.thresholds.quota).toEqual({ paceYellow: 1, paceRed: 1.1, shareYellow: 0.9, shareRed: 1 });
    expect(overview.thresholds.intensity).toEqual({ yellow: 0.95, red: 1 });
    expect(overview.thresholds.carbon).toMatchObject({ shareRed: 1, intensityYellow: 0.95 });
    const mine = (await svc.get('/api/district/overview', TOKENS.alu01)).body as typeof overview;
    expect(mine.enterprises.map((e) => e.id)).toEqual(['alu01']);
    expect(mine.ytd.quotaTotalTce).toBe(50);
    expect([mine.ytd.byPark, mine.parks]).toEqual([{}, {}]);

    // District carbon (contract 9) of the same readings: grid 2026 0.5306 kgCO2/kWh (coefficients.yaml).
    // alu01 400,000 kWh = 212.24 t, cem01 100,000 kWh = 53.06 t; nothing in 2025: no ratio.
    const carbon = (await svc.get('/api/district/carbon', TOKENS.officer)).body as {
      year: number;
      totals: { totalT: number; scope2T: number; previousT: number; change: number | null; tce: number };
      byPark: { id: string; totalT: number; tceEquivalent: number; co2PerTce: number; meetsThreshold: boolean }[];
      enterprises: { id: string; totalT: number; contribution: number }[];
    };
    expect(carbon.year).toBe(2026);
    expect(carbon.totals).toMatchObject({ totalT: 265.3, scope2T: 265.3, previousT: 0, change: null });
    expect(carbon.totals.tce).toBeCloseTo(61.45, 9);
    // baitao: 53.06 t on 12.29 tce = 4.317331163548 t CO2/tce, far above the 0.20 line.
    expect(carbon.byPark).toMatchObject([{ id: 'baitao', totalT: 53.06, tceEquivalent: 12.29, co2PerTce: 4.317331163548, meetsThreshold: false }]);
    // Contributions: 212.24 / 265.3 = 0.8 and 53.06 / 265.3 = 0.2.
    expect(carbon.enterprises.map((e) => [e.id, e.contribution])).toEqual([
      ['alu01', 0.8],
      ['cem01', 0.2],
    ]);
    const ownCarbon = (await svc.get('/api/district/carbon', TOKENS.alu01)).body as typeof carbon;
    expect(ownCarbon.enterprises.map((e) => e.id)).toEqual(['alu01']);
    expect(ownCarbon.totals.totalT).toBe(212.24);
    expect((await svc.get('/api/district/carbon?year=2027', TOKENS.officer)).status).toBe(400);
    expect((await svc.get('/api/district/carbon?year=26', TOKENS.officer)).status).toBe(400);

    // Meters at 01:00 on 2 March: today (1 h) holds 1 reading of a 900 s meter -> 900 / 3,600 = 0.25;
    // the month so far (25 h = 90,000 s) holds 2 -> 1,800 / 90,000 = 0.02; silent for 3,600 s,
    // which is exactly 4 x 900 s and so not yet silent.
    const meters = (await svc.get('/api/enterprises/alu01/meters', TOKENS.alu01)).body as { meters: Record<string, unknown>[] };
    expect(meters.meters[0]).toMatchObject({
      id: 'e-main',
      unit: 'kWh',
      lastReading: { ts: '2026-03-02T00:00:00.000+08:00', value: 400_000, quality: 'good' },
      completenessToday: 0.25,
      completenessMonth: 0.02,
      silentSeconds: 3600,
      silenceLimitSeconds: 3600,
      silent: false,
    });
    expect((await svc.get('/api/enterprises/cem01/meters', TOKENS.alu01)).status).toBe(404);
  });

  it('sends the links of alert mails to the dashboard pages, and lists report revisions to every role', async () => {
    const res = await fetch(`${svc.baseUrl}/enterprises/alu01`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/#/enterprise/alu01');
    expect((await fetch(`${svc.baseUrl}/alarms`, { redirect: 'manual' })).headers.get('location')).toBe('/#/alarms');

    expect((await svc.post('/api/reports/monthly/finalise?month=2026-02', undefined, TOKENS.admin)).status).toBe(201);
    const all = (await svc.get('/api/reports/revisions', TOKENS.auditor)).body as { month: string; revision: number; sha256: string | null }[];
    expect(all).toEqual([expect.objectContaining({ month: '2026-02', revision: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const own = (await svc.get('/api/reports/revisions', TOKENS.alu01)).body as typeof all;
    expect(own).toEqual([expect.objectContaining({ month: '2026-02', revision: 1, sha256: null })]);
  });

  it('counts an entered carrier in the monthly series and the status from its month end, never in daily series, and names the rows used', async () => {
    // Raw coal for February entered by the enterprise: 1,200 + 300 - 250 = 1,250 t x 714.3 kgce/t = 892.875 tce.
    const put = await svc.put(
      '/api/enterprises/cem01/monthly/2026-02',
      { carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } } },
      TOKENS.officer,
    );
    expect(put.status).toBe(200);
    const feb = '&from=2026-02-01T00:00:00%2B08:00&to=2026-03-01T00:00:00%2B08:00';
    await eventually(async () => {
      const monthly = (await svc.get(`/api/enterprises/cem01/consumption?every=1mo${feb}`, TOKENS.auditor)).body as {
        series: { carrier: string; quantity: number; tce: number }[];
      };
      expect(monthly.series).toEqual([expect.objectContaining({ carrier: 'raw_coal', quantity: 1250, tce: 892.875 })]);
    });
    const daily = (await svc.get(`/api/enterprises/cem01/consumption?every=1d${feb}`, TOKENS.auditor)).body as { series: { carrier: string }[] };
    expect(daily.series.filter((p) => p.carrier === 'raw_coal')).toEqual([]);
    type Status = { ytdByCarrier: { carrier: string; tce: number }[]; parameters: { key: string; value: number }[] };
    // During February it does not count yet; at 2 March it does.
    const during = (await svc.get('/api/enterprises/cem01/status?at=2026-02-20T00:00:00%2B08:00', TOKENS.auditor)).body as Status;
    expect(during.ytdByCarrier.filter((c) => c.carrier === 'raw_coal')).toEqual([]);
    const after = (await svc.get('/api/enterprises/cem01/status?at=2026-03-02T00:00:00%2B08:00', TOKENS.auditor)).body as Status;
    expect(after.ytdByCarrier).toEqual(expect.arrayContaining([expect.objectContaining({ carrier: 'raw_coal', tce: 892.875 })]));
    expect(after.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'kgce/raw_coal/t', value: 714.3 })]));
  });
});
