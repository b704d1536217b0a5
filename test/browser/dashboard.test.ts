/// <reference lib="dom" />
/**
 * The dashboard in a real Chromium (Debian's, through playwright-core) against the whole service
 * with a real Mosquitto and a real influxd: sign in, read the district table, open an enterprise
 * and watch a reading arrive live, receive alarms live and acknowledge one, download a report,
 * switch language, and the role limits (auditor, enterprise manager). Screenshots go to
 * test/artifacts/ for a person to look at. No page may log a console error or load anything
 * from another origin.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { aluminiumDistrict, AT, publish as publishTo, publishSmelterDay } from '../helpers/aluminiumDistrict';
import { eventually, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { ARTIFACTS, hasChromium, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';

const available = process.env.CI === 'true' || (hasMosquitto() && findInfluxd() !== undefined && hasChromium());
if (!available) console.warn('mosquitto, influxd or chromium not installed: dashboard browser suite skipped');
const maybe = available ? describe : describe.skip;

const config = aluminiumDistrict({ cementQuotaTce: 10 });

const rowText = async (w: WatchedPage, selector: string): Promise<string[]> =>
  w.page.$$eval(selector, (rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));

async function signIn(w: WatchedPage, baseUrl: string, token: string): Promise<void> {
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

/** The session cookie of a browser context, to call the API from the test as that person. */
async function cookieHeader(w: WatchedPage): Promise<string> {
  return (await w.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

maybe('dashboard in Chromium', () => {
  let broker: MosquittoBroker;
  let influx: InfluxdHandle;
  let svc: RunningApp;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const open = async (viewport?: { width: number; height: number }) => {
    const w = await watchedPage(browser, viewport);
    pages.push(w);
    return w;
  };
  const publish = (topic: string, payload: unknown) => publishTo(broker.url, topic, payload);

  beforeAll(async () => {
    broker = (await startMosquitto())!;
    influx = (await startInfluxd())!;
    svc = await startApp(config, { mqttUrl: broker.url, influx: { url: influx.url, database: `dashboard_${process.pid}` } }, { now: () => AT });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await broker?.stop();
    await influx?.stop();
  });
  afterEach(() => {
    // No page logged an error or fetched anything from another origin.
    for (const w of pages.splice(0)) {
      expect(w.errors).toEqual([]);
      expect(w.requests.filter((u) => !u.startsWith(svc.baseUrl) && !u.startsWith('data:'))).toEqual([]);
    }
  });

  it('an officer signs in, reads the table, sees alarms arrive live, acknowledges one, follows a reading live and downloads a report', async () => {
    const officer = await open();
    await signIn(officer, svc.baseUrl, TOKENS.officer);
    const cookie = (await officer.context.cookies()).find((c) => c.name === 'em_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await officer.page.evaluate(() => document.cookie)).toBe('');

    // Alarms page first, empty, then the data arrives and the rules run: rows appear without a reload.
    await officer.page.click('nav a[href="#/alarms"]');
    await officer.page.waitForSelector('#no-alarms');
    await officer.page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await officer.page.waitForSelector('#live-state.on');
    await publishSmelterDay(svc, broker.url);
    await publish('energy/cem01/e-main', [
      { ts: '2026-03-01T00:00:00+08:00', value: 0 },
      { ts: '2026-03-02T00:00:00+08:00', value: 100_000 },
    ]);
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/enterprises/cem01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
      expect((res.body as { series: unknown[] }).series).toHaveLength(1);
    });
    await svc.app.rules.evaluate(AT);
    await officer.page.waitForFunction(() => document.querySelectorAll('.alarm-card').length === 3, undefined, { timeout: 15_000 });
    expect(await officer.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const alarmRows = await rowText(officer, '.alarm-card');
    // Hand-computed: alu01 400,000 kWh x 0.1229 = 49.16 tce of 50 (98.3 %); cem01 100,000 kWh = 12.29 tce of 10 (122.9 %).
    expect(alarmRows.filter((r) => r.includes('严重') && r.includes('配额'))).toHaveLength(2);
    expect(alarmRows.find((r) => r.includes('阶梯电价'))).toContain('警告');
    await officer.screenshot('dashboard-alarms-zh');

    // Acknowledge the aluminium quota alarm with the keyboard-reachable button.
    const active = (await svc.get('/api/alarms?state=active')).body as { id: number; enterprise: string; type: string }[];
    const target = active.find((a) => a.enterprise === 'alu01' && a.type === 'quota')!;
    const button = officer.page.locator(`button.ack[data-alarm="${target.id}"]`);
    await button.focus();
    await officer.page.keyboard.press('Enter');
    await eventually(async () => {
      const all = (await svc.get('/api/alarms?state=all')).body as { id: number; state: string; acknowledgedBy: string | null }[];
      expect(all.find((a) => a.id === target.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer' });
    });
    await officer.page.waitForFunction(
      (id) => !document.querySelector(`button.ack[data-alarm="${id}"]`) && document.querySelectorAll('button.ack').length === 2,
      target.id,
    );

    // The district table: lights, figures with units, sortable by keyboard.
    await officer.page.click('nav a[href="#/"]');
    await officer.page.waitForSelector('#enterprise-table tbody tr');
    const rows = await rowText(officer, '#enterprise-table tbody tr');
    expect(rows).toHaveLength(2);
    const alu = rows.find((r) => r.includes('重庆示例铝业有限公司'))!;
    expect(alu).toContain('红');
    expect(alu).toContain('49.2'); // ytd tce
    expect(alu).toContain('98.3 %'); // share
    expect(alu).toContain('+0.02'); // tariff markup, yuan/kWh
    expect(rows.find((r) => r.includes('测试水泥'))).toContain('122.9 %');
    expect(await officer.page.textContent('.cards')).toContain('61.5 tce'); // 49.16 + 12.29 year to date
    await officer.page.focus('th[data-key="ytd"] button');
    await officer.page.keyboard.press('Enter');
    expect(await officer.page.getAttribute('th[data-key="ytd"]', 'aria-sort')).toBe('descending');
    expect((await rowText(officer, '#enterprise-table tbody tr'))[0]).toContain('重庆示例铝业有限公司');
    await officer.page.waitForFunction(() => document.querySelectorAll('#chart-carrier canvas, #chart-industry canvas').length >= 2);
    // A tooltip on hover, under the strict CSP (a violation would be a console error).
    const box = (await officer.page.locator('#chart-carrier').boundingBox())!;
    await officer.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await officer.page.waitForTimeout(300);
    await officer.screenshot('dashboard-overview-zh');

    // Open the enterprise; a new reading shows up in its meter row without a reload.
    await officer.page.click('#enterprise-table a[href="#/enterprise/alu01"]');
    await officer.page.waitForSelector('#meter-table tbody tr[data-meter="e-main"]');
    expect(await officer.page.textContent('#meter-table tbody tr[data-meter="e-main"] .reading-value')).toBe('1,400,000 kWh');
    await officer.page.waitForFunction(
      () => document.querySelectorAll('#chart-hourly canvas, #chart-daily canvas, #chart-ytd canvas, #chart-unit canvas').length >= 4,
    );
    await officer.page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    // Sorted first: the sort redraws the rows, and the live update must still find its row.
    await officer.page.click('#meter-table th[data-key="value"] button');
    await officer.page.waitForSelector('#meter-table th[data-key="value"][aria-sort="descending"]'); // numeric columns sort largest first
    await publish('energy/alu01/e-main', { ts: '2026-03-02T00:45:00+08:00', value: 1_400_500 });
    await officer.page.waitForFunction(
      () => document.querySelector('#meter-table tr[data-meter="e-main"] .reading-value')?.textContent === '1,400,500 kWh',
      undefined,
      { timeout: 15_000 },
    );
    expect(await officer.page.textContent('#meter-table tr[data-meter="e-main"] .reading-time')).toBe('2026-03-02 00:45');
    // Sorting again draws the rows from their data, which now holds the newest reading.
    await officer.page.click('#meter-table th[data-key="value"] button');
    expect(await officer.page.textContent('#meter-table tr[data-meter="e-main"] .reading-value')).toBe('1,400,500 kWh');
    expect(await officer.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const page = await officer.page.textContent('main');
    expect(page).toContain('0.1229 kgce/kWh'); // the coefficient used, with its source
    expect(page).toContain('Asia/Shanghai');
    await officer.screenshot('dashboard-enterprise-zh');

    // Reports: February finalised by an admin; the officer downloads its PDF from the revision list.
    expect((await svc.post('/api/reports/monthly/finalise?month=2026-02', undefined, TOKENS.admin)).status).toBe(201);
    await officer.page.click('nav a[href="#/reports"]');
    await officer.page.waitForSelector('#revision-table tbody tr');
    expect(await rowText(officer, '#revision-table tbody tr')).toEqual([expect.stringContaining('2026-02')]);
    const [download] = await Promise.all([
      officer.page.waitForEvent('download'),
      officer.page.click('#revision-table a[data-format="pdf"][data-month="2026-02"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^energy-report-.*2026-02-r1\.pdf$/);
    const saved = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(saved);
    expect(readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
    const downloads = (await svc.get('/api/reports/downloads', TOKENS.admin)).body as { who: string; format: string; month: string }[];
    expect(downloads[0]).toMatchObject({ who: 'officer', format: 'pdf', month: '2026-02' });
    await officer.screenshot('dashboard-reports-zh');

    // English: the switch relabels the page and formats numbers the English way.
    await officer.page.click('nav a[href="#/"]');
    await officer.page.waitForSelector('#enterprise-table');
    await officer.page.click('#lang-switch');
    await officer.page.waitForFunction(
      () => document.documentElement.lang === 'en' && document.querySelector('nav')?.textContent?.includes('Alarms'),
    );
    // The header switches at once; the page is redrawn when its data is back.
    await officer.page.waitForFunction(() => document.querySelector('#enterprise-table thead')?.textContent?.includes('Enterprise'));
    expect((await rowText(officer, '#enterprise-table tbody tr')).join(' ')).toContain('red');
    await officer.screenshot('dashboard-overview-en');
    await officer.page.click('#lang-switch');
    await officer.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    // The redraw's requests are back (the page is drawn once they are): signing out with one still
    // in flight would answer it 401, which the browser logs as an error on a loaded machine.
    await officer.page.waitForFunction(() => {
      const head = document.querySelector('#enterprise-table thead')?.textContent ?? '';
      return head !== '' && !head.includes('Enterprise');
    });

    // Signing out ends the session on the server, not only in the page.
    const before = await cookieHeader(officer);
    await officer.page.click('#sign-out');
    await officer.page.waitForSelector('#sign-in');
    const res = await fetch(`${svc.baseUrl}/api/alarms`, { headers: { cookie: before } });
    expect(res.status).toBe(401);
  });

  it('an auditor reads but cannot acknowledge; an enterprise manager sees only their enterprise', async () => {
    const auditor = await open();
    await signIn(auditor, svc.baseUrl, TOKENS.auditor);
    await auditor.page.click('nav a[href="#/alarms"]');
    await auditor.page.waitForSelector('.alarm-card');
    expect(await auditor.page.locator('button.ack').count()).toBe(0);
    const active = (await svc.get('/api/alarms?state=active')).body as { id: number }[];
    const ack = await fetch(`${svc.baseUrl}/api/alarms/${active[0]!.id}/ack`, {
      method: 'POST',
      headers: { cookie: await cookieHeader(auditor), 'x-requested-with': 'test' },
    });
    expect(ack.status).toBe(403);

    const manager = await open({ width: 820, height: 1180 }); // a tablet held upright
    await signIn(manager, svc.baseUrl, TOKENS.alu01);
    await manager.page.waitForSelector('#meter-table');
    expect(manager.page.url()).toContain('#/enterprise/alu01');
    const cookie = await cookieHeader(manager);
    const overview = (await (await fetch(`${svc.baseUrl}/api/district/overview`, { headers: { cookie } })).json()) as {
      enterprises: { id: string }[];
    };
    expect(overview.enterprises.map((e) => e.id)).toEqual(['alu01']);
    expect((await fetch(`${svc.baseUrl}/api/enterprises/cem01`, { headers: { cookie } })).status).toBe(404);
    await manager.screenshot('dashboard-enterprise-tablet');
    await manager.page.click('nav a[href="#/alarms"]');
    await manager.page.waitForSelector('.alarm-card');
    const rows = await rowText(manager, '.alarm-card');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('重庆示例铝业有限公司'))).toBe(true);
    expect(await manager.page.locator('button.ack').count()).toBe(0);
    expect(await manager.page.locator('#alarm-enterprise').count()).toBe(0);
  });

  it('the keyboard reaches the skip link first, a wrong token gets a clear message, and quarantine replay is for admins', async () => {
    const w = await open();
    await w.page.goto(`${svc.baseUrl}/`);
    await w.page.waitForSelector('#token');
    await w.page.fill('#token', 'not-a-token');
    await w.page.press('#token', 'Enter');
    await w.page.waitForFunction(() => (document.querySelector('#sign-in-problem')?.textContent ?? '') !== '');
    expect(await w.page.textContent('#sign-in-problem')).toBe('令牌无效或已停用');
    // The browser reports the refused sign-in (401) as a failed resource load: expected here, and the only one.
    expect(w.errors).toEqual([expect.stringContaining('401')]);
    w.errors.length = 0;

    await publish('energy/alu01/e-main', '{not json');
    await signIn(w, svc.baseUrl, TOKENS.admin);
    await w.page.reload();
    await w.page.waitForSelector('#enterprise-table');
    await w.page.keyboard.press('Tab');
    expect(await w.page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await w.page.click('nav a[href="#/data"]');
    await w.page.waitForSelector('#quarantine-table tbody tr');
    expect((await rowText(w, '#quarantine-table tbody tr')).join(' ')).toContain('bad-json');
    await w.screenshot('dashboard-data-zh');
    expect(await w.page.locator('#replay-all').count()).toBe(1);
    await w.page.click('#replay-all');
    // Still bad JSON: the replay answers that it was rejected again, and the item stays.
    await w.page.waitForSelector('.toast');
    expect(await w.page.textContent('.toast')).toContain('仍被拒绝 1 条');
  });
});
