/**
 * Contract 5's roles on every route of the running service, as one table: a route is one line,
 * a column per caller. `:e` in a target is the caller's own enterprise (alu01), or for the column
 * `other` another one (cem01) asked for with alu01's enterprise token.
 *
 * The table is checked against the routes the running Express app registered (its router stack,
 * services/http/routeTable.ts): a route added without a line here fails, and so does a line whose
 * route no longer exists. A route may have more than one line (e.g. query variants).
 */
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const CALLERS = ['admin', 'officer', 'auditor', 'own', 'other', 'none', 'wrong'] as const;
type Caller = (typeof CALLERS)[number];
type Statuses = readonly [admin: number, officer: number, auditor: number, own: number, other: number, none: number, wrong: number];

interface Route {
  /** `METHOD /pattern` exactly as the app registered it (STATIC: an express.static mount). */
  readonly route: string;
  /** The request made; default: the pattern with its parameters as `:e`. */
  readonly target?: string;
  readonly body?: unknown;
  readonly expected: Statuses;
  /** Server-sent events: only the status is read, then the stream is closed. */
  readonly stream?: boolean;
}

const row = (route: string, expected: Statuses, extra: Partial<Route> = {}): Route => ({ route, expected, ...extra });
const ALL_200: Statuses = [200, 200, 200, 200, 200, 200, 200];
const READ: Statuses = [200, 200, 200, 200, 200, 401, 401];
const READ_OWN: Statuses = [200, 200, 200, 200, 404, 401, 401];
const STAFF: Statuses = [200, 200, 200, 403, 403, 401, 401];
const REDIRECT: Statuses = [302, 302, 302, 302, 302, 302, 302];

const ROUTES: readonly Route[] = [
  //   route as registered                          expected: admin officer auditor own other none wrong       request
  row('GET /healthz', ALL_200),
  // METRICS=token (the default): staff tokens only (issue 14).
  row('GET /metrics', STAFF),
  row('POST /api/session', [401, 401, 401, 401, 401, 401, 401], { body: { token: 'not-a-token' } }),
  row('GET /api/session', ALL_200),
  row('DELETE /api/session', [204, 204, 204, 204, 204, 204, 204]),
  row('GET /api/enterprises', READ),
  row('GET /api/enterprises/:id', READ_OWN),
  row('GET /api/enterprises/:id/consumption', READ_OWN, { target: '/api/enterprises/:e/consumption?every=1d' }),
  row('GET /api/enterprises/:id/consumption', READ_OWN, { target: '/api/enterprises/:e/consumption?every=1h&from=2026-11-01&to=2026-11-02' }),
  row('GET /api/enterprises/:id/status', READ_OWN),
  row('GET /api/enterprises/:id/status', READ_OWN, { target: '/api/enterprises/:e/status?at=2026-06-30T00:00:00%2B08:00' }),
  row('GET /api/enterprises/:id/meters', READ_OWN),
  // One meter's history for the meter page (issue 21): every read role; another enterprise's answers 404.
  row('GET /api/enterprises/:id/meters/:meterId/consumption', READ_OWN, { target: '/api/enterprises/:e/meters/e-main/consumption' }),
  row('GET /api/enterprises/:id/meters/:meterId/consumption', READ_OWN, {
    target: '/api/enterprises/:e/meters/e-main/consumption?every=1mo&from=2026-01-01&to=2027-01-01',
  }),
  // Energy-review projects (contract 9.1): every read role; another enterprise's answers 404.
  row('GET /api/enterprises/:id/projects', READ_OWN),
  row('GET /api/enterprises/:id/projects', READ_OWN, { target: '/api/enterprises/:e/projects?at=2026-06-30T00:00:00%2B08:00' }),
  // Benchmark levels (contract 10): every read role; another enterprise's answers 404.
  row('GET /api/enterprises/:id/benchmark', READ_OWN),
  row('GET /api/enterprises/:id/benchmark', READ_OWN, { target: '/api/enterprises/:e/benchmark?at=2026-06-30T00:00:00%2B08:00' }),
  // Energy-saving diagnosis (contract 11): every read role; another enterprise's answers 404.
  row('GET /api/enterprises/:id/diagnosis', READ_OWN, { target: '/api/enterprises/:e/diagnosis?month=2026-01' }),
  row('GET /api/enterprises/:id/diagnosis', READ_OWN, { target: '/api/enterprises/:e/diagnosis?month=2026-01&meter=e-main' }),
  // Meter events (contract 8.1): officers and admins record, admins retract; an enterprise token for another enterprise gets 404.
  row('GET /api/enterprises/:id/meters/:meterId/events', READ_OWN, { target: '/api/enterprises/:e/meters/e-main/events' }),
  row('POST /api/enterprises/:id/meters/:meterId/events', [201, 201, 403, 403, 404, 401, 401], {
    target: '/api/enterprises/:e/meters/e-main/events',
    body: { type: 'calibration', at: '2020-01-01T00:00:00+08:00', validUntil: '2020-12-31' },
  }),
  row('DELETE /api/enterprises/:id/meters/:meterId/events/:eventId', [404, 403, 403, 403, 404, 401, 401], {
    target: '/api/enterprises/:e/meters/e-main/events/999999',
  }),
  row('PUT /api/enterprises/:id/output/:month', [200, 200, 403, 403, 403, 401, 401], {
    target: '/api/enterprises/:e/output/2026-01',
    body: { outputValue10kYuan: 1234.5 },
  }),
  // Monthly statistics (contract 8.3): the enterprise enters its own; auditors read.
  row('GET /api/enterprises/:id/monthly/:month', READ_OWN, { target: '/api/enterprises/:e/monthly/2026-01' }),
  row('GET /api/enterprises/:id/monthly/:month', READ_OWN, { target: '/api/enterprises/:e/monthly/2026-01?history=1' }),
  row('PUT /api/enterprises/:id/monthly/:month', [200, 200, 403, 200, 404, 401, 401], {
    target: '/api/enterprises/:e/monthly/2026-01',
    body: { note: 'role table' },
  }),
  row('GET /api/enterprises/:id/reconciliation', READ_OWN, { target: '/api/enterprises/:e/reconciliation?month=2026-01' }),
  row('GET /api/monthly/template', READ, { target: '/api/monthly/template?month=2026-01' }),
  // A JSON body is not a workbook: 422 for every role that may import.
  row('POST /api/monthly/import', [422, 422, 403, 422, 422, 401, 401], { body: {} }),
  row('GET /api/district/overview', READ),
  row('GET /api/district/thresholds', READ),
  // District carbon (contract 9): every read role; an enterprise token gets its own figures only.
  row('GET /api/district/carbon', READ),
  row('GET /api/district/carbon', READ, { target: '/api/district/carbon?year=2025' }),
  // District benchmark and efficiency leaders (contract 10): every read role; an enterprise token its own only.
  row('GET /api/district/benchmark', READ),
  row('GET /api/district/benchmark', READ, { target: '/api/district/benchmark?period=ytd' }),
  row('GET /api/events', READ, { stream: true }),
  row('GET /api/quarantine', READ),
  row('GET /api/quarantine', READ, { target: '/api/quarantine?enterprise=:e' }),
  row('GET /api/quarantine/:id', [404, 404, 404, 404, 404, 401, 401], { target: '/api/quarantine/999999' }),
  row('POST /api/quarantine/replay', [200, 403, 403, 403, 403, 401, 401], { body: { ids: [999999] } }),
  row('GET /api/notifications', [200, 200, 403, 403, 403, 401, 401]),
  row('GET /api/reports/monthly', STAFF, { target: '/api/reports/monthly?month=2026-10&format=json' }),
  row('GET /api/reports/monthly/:enterpriseId', READ_OWN, { target: '/api/reports/monthly/:e?month=2026-10&format=csv' }),
  row('GET /api/reports/revisions', READ),
  row('GET /api/reports/month-state', READ, { target: '/api/reports/month-state?month=2026-10' }),
  // A month that has not ended cannot be finalised: 409 for the admin, who alone may try.
  row('POST /api/reports/monthly/finalise', [409, 403, 403, 403, 403, 401, 401], { target: '/api/reports/monthly/finalise?month=2099-01' }),
  row('GET /api/reports/downloads', [200, 403, 403, 403, 403, 401, 401]),
  row('GET /api/alarms', READ),
  row('GET /api/alarms', READ, { target: '/api/alarms?state=all&enterprise=:e' }),
  row('POST /api/alarms/:id/ack', [404, 404, 403, 403, 403, 401, 401], { target: '/api/alarms/999999/ack' }),
  // Alarm history (issue 21): filters and exports for every read role; one alarm with its notes; notes as ack.
  row('GET /api/alarms', READ, { target: '/api/alarms?state=all&severity=warning,critical&from=2026-01-01&to=2026-07-01&limit=10' }),
  row('GET /api/alarms', READ, { target: '/api/alarms?state=open&enterprise=:e&format=csv' }),
  row('GET /api/alarms', READ, { target: '/api/alarms?format=xlsx&lang=en' }),
  row('GET /api/alarms/:id', [404, 404, 404, 404, 404, 401, 401], { target: '/api/alarms/999999' }),
  row('POST /api/alarms/:id/notes', [404, 404, 403, 403, 403, 401, 401], { target: '/api/alarms/999999/notes', body: { comment: '已处理' } }),
  // The dashboard's page, scripts and styles carry no data: public; mail links redirect to pages.
  row('GET /', ALL_200),
  row('GET /enterprises/:id', REDIRECT),
  row('GET /carbon', REDIRECT),
  row('GET /benchmark', REDIRECT),
  row('GET /alarms', REDIRECT),
  row('GET /reports', REDIRECT),
  row('GET /data', REDIRECT),
  row('GET /static/vendor/echarts.min.js', ALL_200),
  row('GET /static/app.js', ALL_200),
  row('STATIC /static', ALL_200, { target: '/static/app.css' }),
];

const TOKEN_OF: Record<Caller, string | null> = {
  admin: TOKENS.admin,
  officer: TOKENS.officer,
  auditor: TOKENS.auditor,
  own: TOKENS.alu01,
  other: TOKENS.alu01,
  none: null,
  wrong: 'not-a-token',
};

/** Any method, JSON in and out; redirects are answers, not followed. */
async function call(
  svc: RunningApp,
  method: string,
  target: string,
  token: string | null,
  body: unknown,
  stream = false,
): Promise<{ status: number; body: unknown }> {
  const abort = new AbortController();
  const res = await fetch(`${svc.baseUrl}${target}`, {
    method,
    redirect: 'manual',
    signal: abort.signal,
    headers: { ...(token !== null && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (stream && res.ok) {
    abort.abort();
    return { status: res.status, body: undefined };
  }
  const text = await res.text();
  // JSON for the API and every error; text, HTML, scripts and Prometheus text otherwise.
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, body: json && text ? (JSON.parse(text) as unknown) : text };
}

/** The pattern's parameters as `:e` (the caller's or the other enterprise). */
const defaultTarget = (pattern: string): string => pattern.replace(/:[A-Za-z]+/g, ':e');

describe('roles x routes (contract 5)', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }));
  });
  afterAll(async () => svc?.stop());

  it('has a line for every registered route, and no line for a route that does not exist', () => {
    const registered = svc.app.http
      .routes()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const tabled = [...new Set(ROUTES.map((r) => r.route))].sort();
    expect({ withoutLine: registered.filter((r) => !tabled.includes(r)), notRegistered: tabled.filter((r) => !registered.includes(r)) }).toEqual({
      withoutLine: [],
      notRegistered: [],
    });
  });

  it.each(ROUTES.map((r) => [`${r.route}${r.target ? ` (${r.target})` : ''}`, r] as const))('%s', async (_name, r) => {
    const [method = '', pattern = ''] = r.route.split(' ');
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const [i, caller] of CALLERS.entries()) {
      const target = (r.target ?? defaultTarget(pattern)).replaceAll(':e', caller === 'other' ? 'cem01' : 'alu01');
      const token = TOKEN_OF[caller];
      const httpMethod = method === 'STATIC' ? 'GET' : method;
      const res = await call(svc, httpMethod, target, token, httpMethod === 'GET' || httpMethod === 'DELETE' ? undefined : (r.body ?? {}), r.stream);
      got[caller] = res.status;
      want[caller] = r.expected[i]!;
      // A 422 (contract 8) also lists every problem.
      const problems = res.status === 422 ? { problems: expect.any(Array) } : {};
      if (res.status >= 400) expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), ...problems } });
    }
    expect(got).toEqual(want);
  });

  it('answers the enterprise token with its own data only, also where the route does not 404', async () => {
    const list = await svc.get('/api/enterprises', TOKENS.alu01);
    expect((list.body as { id: string }[]).map((e) => e.id)).toEqual(['alu01']);
    const quarantine = await svc.get('/api/quarantine?enterprise=cem01&status=all', TOKENS.alu01);
    expect((quarantine.body as { items: { enterprise?: string }[] }).items.every((i) => i.enterprise === 'alu01')).toBe(true);
  });
});
