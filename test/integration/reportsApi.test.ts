/**
 * Monthly reports through the API (contract 5 and 6): provisional before finalisation, a stored
 * revision with its SHA-256, a new revision with a note when late data arrives, every revision
 * downloadable, access by role, every download recorded, and the finalised report mailed.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { authSection, eventually, startApp, TOKENS, type RunningApp } from '../helpers/app';

const at = (iso: string) => Date.parse(iso);
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '示例铝业',
      industry: '3216',
      quotas: [{ year: 2026, totalTce: 1000 }],
      meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }],
    },
    { id: 'cem01', name: '示例水泥', industry: '3011', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
  reports: { recipients: ['auditor@example.org', 'section@example.org'], language: 'zh-CN', recheckMonths: 3 },
});
const h = (enterprise: string, quantity: number, iso = '2026-11-10T10:00:00+08:00'): HourlyConsumption => ({
  enterprise,
  meter: 'e',
  carrier: 'electricity',
  unit: 'kWh',
  hour: at(iso),
  quantity,
});

async function raw(svc: RunningApp, path: string, token: string): Promise<{ status: number; type: string; body: Buffer; headers: Headers }> {
  const res = await fetch(`${svc.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

describe('monthly reports API', () => {
  let svc: RunningApp;
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      logger: false,
      hideSTARTTLS: true,
      authOptional: true,
      disabledCommands: ['AUTH'],
      onData(stream, _s, cb) {
        simpleParser(stream).then((m) => {
          mails.push(m);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    svc = await startApp(
      config,
      { smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` },
      { now: () => at('2026-12-01T01:00:00+08:00') },
    );
    // alu01: 1,000,000 kWh = 122.9 tce in November; cem01: 100,000 kWh = 12.29 tce.
    await svc.app.store.write({ readings: [], hourly: [h('alu01', 1_000_000), h('cem01', 100_000)] });
  });
  afterAll(async () => {
    await svc?.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('serves a provisional report before the month is finalised', async () => {
    const res = await svc.get('/api/reports/monthly?month=2026-11', TOKENS.auditor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ month: '2026-11', revision: 0 });
    expect((res.body as { totals: { totalTce: number } }).totals.totalTce).toBeCloseTo(135.19, 9);
    // The carbon section from the real district carbon service (issue 20): the year of the month at its end, and its
    // total is the sum of the enterprises' own year-to-date CO2 in the same report (two services, one figure).
    const body = res.body as { carbon: { year: number; totals: { totalT: number } }; enterprises: { carbon: { ytdT: number } }[] };
    expect(body.carbon.year).toBe(2026);
    expect(body.carbon.totals.totalT).toBeGreaterThan(0);
    expect(body.carbon.totals.totalT).toBeCloseTo(
      body.enterprises.reduce((sum, e) => sum + e.carbon.ytdT, 0),
      6,
    );
    // The benchmark section and findings are wired (issue 16): the real district benchmark answer at the month's end
    // over the rolling 12 months, and every enterprise's products and findings (lists, possibly empty).
    const b = res.body as { benchmark: { period: string; to: string }; enterprises: { benchmark: unknown[]; findings: unknown[] }[] };
    expect(b.benchmark).toMatchObject({ period: 'rolling12', to: '2026-12-01T00:00:00.000+08:00' });
    for (const e of b.enterprises) expect([Array.isArray(e.benchmark), Array.isArray(e.findings)]).toEqual([true, true]);
  });

  it('finalises into revision 1, makes revision 2 only when late data changes the figures, and keeps both', async () => {
    expect((await svc.post('/api/reports/monthly/finalise?month=2026-11', {}, TOKENS.auditor)).status).toBe(403);
    const first = await svc.post('/api/reports/monthly/finalise?month=2026-11', {});
    expect(first).toMatchObject({ status: 201, body: { revision: 1, created: true } });
    expect((await svc.post('/api/reports/monthly/finalise?month=2026-11', {})).body).toMatchObject({ revision: 1, created: false });
    // 100,000 kWh more for alu01 arrive late: 122.9 -> 135.19 tce.
    await svc.app.store.write({ readings: [], hourly: [h('alu01', 100_000, '2026-11-11T10:00:00+08:00')] });
    const second = await svc.post('/api/reports/monthly/finalise?month=2026-11', {});
    expect(second).toMatchObject({ status: 201, body: { revision: 2, created: true } });
    expect((second.body as { revisionNote: string }).revisionNote).toContain('alu01: totalTce 122.9 -> 135.19 tce');

    const latest = await svc.get('/api/reports/monthly?month=2026-11', TOKENS.officer);
    const r1 = await svc.get('/api/reports/monthly?month=2026-11&revision=1', TOKENS.officer);
    expect(latest.body).toMatchObject({ revision: 2, sha256: (second.body as { sha256: string }).sha256 });
    expect(r1.body).toMatchObject({ revision: 1, sha256: (first.body as { sha256: string }).sha256 });
    expect((r1.body as { enterprises: { totalTce: number }[] }).enterprises[0]!.totalTce).toBeCloseTo(122.9, 9);
    expect((await svc.get('/api/reports/monthly?month=2026-11&revision=7')).status).toBe(404);
    const revisions = await svc.get('/api/reports/revisions?month=2026-11', TOKENS.auditor);
    expect((revisions.body as { revision: number }[]).map((r) => r.revision)).toEqual([1, 2]);
  });

  it('serves every format with the revision and hash in the headers', async () => {
    const expected: Record<string, string> = {
      csv: 'text/csv',
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      pdf: 'application/pdf',
      html: 'text/html',
      json: 'application/json',
    };
    for (const [format, type] of Object.entries(expected)) {
      const res = await raw(svc, `/api/reports/monthly?month=2026-11&format=${format}`, TOKENS.auditor);
      expect(res.status).toBe(200);
      expect(res.type).toContain(type);
      expect(res.headers.get('x-report-revision')).toBe('2');
      expect(res.body.length).toBeGreaterThan(100);
    }
    const csv = await raw(svc, '/api/reports/monthly?month=2026-11&format=csv', TOKENS.auditor);
    expect([...csv.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM for Excel
    expect((await raw(svc, '/api/reports/monthly?month=2026-11&format=pdf', TOKENS.auditor)).body.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('gives an enterprise token only its own enterprise report', async () => {
    expect((await svc.get('/api/reports/monthly?month=2026-11', TOKENS.alu01)).status).toBe(403);
    const own = await svc.get('/api/reports/monthly/alu01?month=2026-11', TOKENS.alu01);
    expect(own.status).toBe(200);
    expect(own.body as { scope: string; enterprises: { id: string }[] }).toMatchObject({ scope: 'alu01', enterprises: [{ id: 'alu01' }] });
    // Its own carbon row, without the district section (other enterprises' figures) or its share of the district change.
    expect(own.body).not.toHaveProperty('carbon');
    expect(own.body).not.toHaveProperty('benchmark');
    expect(own.body).toMatchObject({ enterprises: [{ carbon: { contribution: null } }] });
    expect((await svc.get('/api/reports/monthly/cem01?month=2026-11', TOKENS.alu01)).status).toBe(404);
  });

  it('records every download, readable by admins only', async () => {
    expect((await svc.get('/api/reports/downloads', TOKENS.auditor)).status).toBe(403);
    const log = (await svc.get('/api/reports/downloads')).body as {
      who: string;
      role: string;
      scope: string;
      format: string;
      revision: number;
      sha256: string;
    }[];
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ who: 'auditor', role: 'auditor', scope: 'district', format: 'pdf', revision: 2 }),
        expect.objectContaining({ who: 'alu01-manager', role: 'enterprise', scope: 'alu01', format: 'json' }),
      ]),
    );
  });

  it('mails each new revision with the PDF and the XLSX attached', async () => {
    await eventually(() => expect(mails.length).toBeGreaterThanOrEqual(2), 20_000);
    const subjects = mails.map((m) => m.subject).sort();
    expect(subjects).toEqual(['2026-11 重点用能单位能耗月报（第 1 版）', '2026-11 重点用能单位能耗月报（第 2 版）']);
    const second = mails.find((m) => m.subject?.includes('第 2 版'))!;
    expect(second.attachments.map((a) => a.filename)).toEqual(['energy-report-2026-11-r2.pdf', 'energy-report-2026-11-r2.xlsx']);
    expect(second.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(second.text).toContain('alu01: totalTce 122.9 -> 135.19 tce');
  });
});
