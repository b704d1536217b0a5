/**
 * GET /api/enterprises/{id}/projects?at= (contract 9.1) on the running service: line2's figures as
 * the project figures test computes them by hand, the default t, refusals, and an enterprise token
 * seeing only its own enterprise.
 */
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { PROJECT_HOURS, projectConfig } from '../helpers/projects';

const NOW = Date.parse('2026-03-15T12:00:00+08:00');

describe('GET /api/enterprises/{id}/projects', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    const base = projectConfig();
    // alu01's token must see its own (empty) projects and get 404 for cem01.
    const alu01 = { ...base.enterprises[0]!, id: 'alu01', name: '测试铝业', projects: [], processEmissions: [] };
    svc = await startApp({ ...base, auth: authSection(), enterprises: [...base.enterprises, alu01] }, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: PROJECT_HOURS });
  });
  afterAll(async () => svc?.stop());

  it('answers line2 at t with the window, the annual figures, the levels and the grid factor rows', async () => {
    const res = await svc.get('/api/enterprises/cem01/projects?at=2026-03-15T12:00:00%2B08:00', TOKENS.auditor);
    expect(res.status).toBe(200);
    const body = res.body as { enterprise: string; at: string; projects: Record<string, unknown>[] };
    expect(body.enterprise).toBe('cem01');
    expect(body.at).toBe('2026-03-15T12:00:00.000+08:00');
    // 470 tce and 3,050 t over 90 days: x 365 / 90 = 1,906.11111 tce (95.3 % of 2,000: warning) and 12,369.4444 t.
    expect(body.projects[0]).toMatchObject({
      id: 'line2',
      approvedTce: 2000,
      approvedCo2T: 12000,
      window: { from: '2025-12-01T00:00:00.000+08:00', to: '2026-03-01T00:00:00.000+08:00', days: 90 },
      months: ['2025-12', '2026-01', '2026-02'],
      windowTce: 470,
      windowCo2T: 3050,
      annualTce: 1906.11111,
      annualCo2T: 12369.4444,
      energyLevel: 'warning',
      co2Level: null,
      level: 'warning',
      gridFactors: [
        { value: 0.6, year: 2025, source: 'grid 2025' },
        { value: 0.5, year: 2026, source: 'grid 2026' },
      ],
    });
    expect(body.projects[1]).toMatchObject({ id: 'line3', annualTce: null, note: 'short-window' });
  });

  it('defaults t to now, and refuses a malformed or future t', async () => {
    const now = await svc.get('/api/enterprises/cem01/projects');
    expect((now.body as { at: string }).at).toBe('2026-03-15T12:00:00.000+08:00');
    expect((await svc.get('/api/enterprises/cem01/projects?at=yesterday')).status).toBe(400);
    expect((await svc.get('/api/enterprises/cem01/projects?at=2026-04-01')).status).toBe(400);
    expect((await svc.get('/api/enterprises/cem01/projects?from=2026-01-01')).status).toBe(400);
    expect((await svc.get('/api/enterprises/nope/projects')).status).toBe(404);
  });

  it('an enterprise token sees its own projects and not another enterprise', async () => {
    const own = await svc.get('/api/enterprises/alu01/projects', TOKENS.alu01);
    expect(own).toEqual({ status: 200, body: { enterprise: 'alu01', at: '2026-03-15T12:00:00.000+08:00', timezone: 'Asia/Shanghai', projects: [] } });
    expect((await svc.get('/api/enterprises/cem01/projects', TOKENS.alu01)).status).toBe(404);
  });
});
