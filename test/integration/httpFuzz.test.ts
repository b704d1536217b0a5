/**
 * Fuzzing the HTTP API (contract 5) of the whole service with fast-check: arbitrary path segments,
 * query strings and replay bodies, including injection strings, never get a 5xx; every answer is
 * JSON, every 4xx the contract's error shape; the enterprise token never sees another enterprise;
 * the service stays up.
 */
import fc from 'fast-check';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const DAY0 = Date.parse('2026-11-01T00:00:00+08:00');
const H = 3_600_000;
/** Text only cem01 answers can contain: its name. alu01's token must never receive it. */
const CEM01_NAME = '测试水泥';

type Who = 'admin' | 'officer' | 'auditor' | 'alu01' | 'none' | 'wrong';
const WHO: Record<Who, string | null> = {
  admin: TOKENS.admin,
  officer: TOKENS.officer,
  auditor: TOKENS.auditor,
  alu01: TOKENS.alu01,
  none: null,
  wrong: 'not-a-token',
};
const who = fc.constantFrom<Who>('admin', 'officer', 'auditor', 'alu01', 'alu01', 'none', 'wrong');

const INJECTIONS = [
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP MEASUREMENT readings; --",
  '1; DELETE FROM quarantine',
  "alu01' OR enterprise='cem01",
  'alu01" OR "1"="1',
  '" or time > 0 --',
  'time > 0',
  'now() - 1000d',
  '/.*/',
  '.*',
  '^(a+)+$',
  '(?:)',
  '[',
  '\\',
  '|',
  'alu01|cem01',
  '/alu01|cem01/',
  '*',
  '%',
  '_',
  '{"$gt": ""}',
  '$where',
  '../',
  '../../etc/passwd',
  '..\\..\\',
  '..%2f',
  '%2e%2e%2f',
  '..',
  '.',
  '%00',
  '\u0000',
  '%zz',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'toString',
  'cem01',
  'alu01',
  'ALU01',
  ' alu01',
  '😀',
  '电表',
  '',
];
const injection = fc.constantFrom(...INJECTIONS);
const anyText = fc.oneof(
  { arbitrary: injection, weight: 4 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => 'a'.repeat(n)), weight: 1 },
);
const dateValue = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '2026-11-01',
      '2026-11-02',
      '2026-12-01',
      '2026-11-01T00:00:00+08:00',
      '2026-11-01T03:00:00+08:00',
      '2026-11-01T00:00:00Z',
      '2025-01-01',
      '2027-12-31',
    ),
    weight: 4,
  },
  fc.constantFrom(
    '1970-01-01',
    '0000-01-01',
    '9999-12-31',
    '275760-09-13',
    '-1',
    '0',
    '1793232000000',
    '1e999',
    'NaN',
    'now',
    '2026-02-30',
    '2026-11-01T25:00:00+08:00',
    '2026-11-01T00:00:00+99:99',
  ),
  anyText,
);
const everyValue = fc.oneof(
  { arbitrary: fc.constantFrom('1h', '1d', '1mo'), weight: 3 },
  fc.constantFrom('2h', '1m', '1w', '1y', '', '1d ', '1D', '1mo,1d'),
  anyText,
);
const param = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('from'), dateValue), weight: 3 },
  { arbitrary: fc.tuple(fc.constant('to'), dateValue), weight: 3 },
  { arbitrary: fc.tuple(fc.constant('every'), everyValue), weight: 3 },
  fc.tuple(
    fc.constantFrom(
      'every[]',
      'from[$gt]',
      'to[0]',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'enterprise',
      'limit',
      'status',
      'reason',
      'offset',
      'format',
    ),
    anyText,
  ),
  fc.tuple(anyText, anyText),
);
/** A query string: encoded pairs, raw pairs (whatever fetch makes of them), repeated keys. */
const query = fc.tuple(fc.array(fc.tuple(param, fc.boolean()), { maxLength: 6 }), fc.boolean()).map(([pairs, dup]) => {
  const all = dup && pairs[0] ? [...pairs, pairs[0]] : pairs;
  const text = all.map(([[k, v], raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
  return text ? `?${text}` : '';
});
const encodeQuery = (pairs: readonly (readonly [string, string])[]): string =>
  pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
/** Well-formed consumption queries (so that many requests get as far as the store and a 200). */
const consumptionQuery = fc.oneof(
  { arbitrary: query, weight: 3 },
  {
    arbitrary: fc
      .record(
        {
          from: fc.constantFrom('2026-11-01', '2026-10-01', '2026-11-01T00:00:00+08:00', '2026-01-01'),
          to: fc.constantFrom('2026-11-02', '2026-12-01', '2026-11-01T06:00:00+08:00', '2027-01-01'),
          every: fc.constantFrom('1h', '1d', '1mo'),
        },
        { requiredKeys: [] },
      )
      .map((r) => encodeQuery(Object.entries(r))),
    weight: 2,
  },
);
/** Quarantine list queries, mostly well-formed, with filters aimed at the other enterprise. */
const quarantineQuery = fc.oneof(
  { arbitrary: query, weight: 2 },
  {
    arbitrary: fc
      .record(
        {
          status: fc.constantFrom('open', 'replayed', 'all'),
          reason: fc.constantFrom('bad-json', 'unknown-meter', 'bad-shape'),
          enterprise: fc.oneof(fc.constantFrom('cem01', 'alu01', 'cem01', "cem01' OR 1=1 --", '%', '*'), anyText),
          limit: fc.constantFrom('1', '10', '5000', '0', '-1', '1e9', 'x'),
          offset: fc.constantFrom('0', '1', '-1', '99999999999999999999'),
        },
        { requiredKeys: [] },
      )
      .map((r) => encodeQuery(Object.entries(r))),
    weight: 3,
  },
);
const idSegment = fc.oneof(
  { arbitrary: fc.constantFrom('alu01', 'cem01'), weight: 8 },
  { arbitrary: fc.constantFrom('ghost', 'alu01/..', 'cem01%2F..%2Falu01', 'alu01%00', 'alu01%20', '%61lu01', '%63em01'), weight: 1 },
  { arbitrary: anyText.map(encodeURIComponent), weight: 2 },
  { arbitrary: anyText, weight: 1 },
);
const path = fc
  .tuple(
    idSegment,
    fc.oneof(
      { arbitrary: fc.constant('consumption'), weight: 8 },
      fc.constantFrom('', 'status', '../consumption', 'consumption/extra', 'consumption/', '%2e%2e/consumption'),
    ),
  )
  .map(([id, rest]) => `/api/enterprises/${id}${rest ? `/${rest}` : ''}`);

interface Answer {
  status: number;
  type: string;
  text: string;
  body: unknown;
}

describe('HTTP API fuzzing (contract 5)', () => {
  let svc: RunningApp;
  let rateLimited = 0;

  async function call(method: 'GET' | 'POST', target: string, token: string | null, body?: { text: string; type?: string }): Promise<Answer> {
    const res = await fetch(`${svc.baseUrl}${target}`, {
      method,
      headers: { ...(token !== null && { authorization: `Bearer ${token}` }), ...(body?.type !== undefined && { 'content-type': body.type }) },
      ...(body && { body: body.text }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: parsed };
  }

  /** What holds for every answer to every request. */
  function checkAnswer(a: Answer, token: string | null, target: string): void {
    const context = `${target} -> ${a.status} ${a.text.slice(0, 300)}`;
    if (a.status === 429) rateLimited++;
    expect({ context, serverError: a.status >= 500 }).toEqual({ context, serverError: false });
    expect({ context, json: a.type.startsWith('application/json') && a.body !== undefined }).toEqual({ context, json: true });
    if (a.status >= 400) {
      expect(a.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(Object.keys(a.body as object)).toEqual(['error']);
      expect(Object.keys((a.body as { error: object }).error).sort()).toEqual(['code', 'message']);
    }
    // Dot segments are resolved by the client: /api/enterprises/../../x is a request for /x.
    if (new URL(target.split(' ')[0]!, 'http://host').pathname.startsWith('/api/')) {
      const valid = token !== null && token !== WHO.wrong;
      expect({ context, unauthorized: a.status === 401 }).toEqual({ context, unauthorized: !valid });
    }
    if (token === TOKENS.alu01 && a.status < 400) {
      // Nothing of cem01 reaches alu01's manager.
      expect({ context, leak: a.text.includes(CEM01_NAME) || a.text.includes('"cem01"') }).toEqual({ context, leak: false });
    }
  }

  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }));
    const accept = (topic: string, payload: string) => svc.app.pipeline.accept({ topic, payload, receivedAt: Date.now() });
    for (let k = 0; k < 6; k++) {
      await accept('energy/alu01/e-main', JSON.stringify({ ts: DAY0 + k * H, value: 100 + 10 * k }));
      await accept('energy/cem01/e-main', JSON.stringify({ ts: DAY0 + k * H, value: 500 + 7 * k }));
    }
    await accept('energy/alu01/e-main', '{"ts": oops}');
    await accept('energy/cem01/e-main', '{"ts": oops}');
    await accept('energy/cem01/ghost', JSON.stringify({ ts: DAY0, value: 1 }));
    await svc.settle();
    const cem = await svc.get('/api/enterprises/cem01/consumption?every=1d&from=2026-11-01&to=2026-11-02');
    expect((cem.body as { series: unknown[] }).series.length).toBeGreaterThan(0);
  });
  afterAll(async () => svc?.stop());

  it('consumption: arbitrary path segments and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(path, consumptionQuery, who, async (p, q, w) => {
        const token = WHO[w];
        const target = `${p}${q}`;
        const a = await call('GET', target, token);
        checkAnswer(a, token, target);
        // What the server saw: the client resolves dot segments and cuts at a raw '#'.
        const seen = new URL(target, 'http://host').pathname;
        if (a.status === 200 && seen.endsWith('/consumption')) {
          const body = a.body as { enterprise: string; series: { time: string }[] };
          expect(['alu01', 'cem01']).toContain(body.enterprise);
          if (w === 'alu01') expect(body.enterprise).toBe('alu01');
          expect(Array.isArray(body.series)).toBe(true);
        }
        // The enterprise token asking for cem01 by its plain id is a 404, as if it did not exist.
        if (w === 'alu01' && /^\/api\/enterprises\/cem01(\/consumption)?$/.test(seen)) expect(a.status).toBe(404);
      }),
      { numRuns: 200 },
    );
  });

  it('enterprise list and quarantine: arbitrary query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/enterprises', '/api/quarantine', '/api/quarantine'),
        query,
        quarantineQuery,
        who,
        async (p, anyQuery, qq, w) => {
          const token = WHO[w];
          const target = `${p}${p === '/api/quarantine' ? qq : anyQuery}`;
          const a = await call('GET', target, token);
          checkAnswer(a, token, target);
          if (a.status === 200 && w === 'alu01') {
            if (p === '/api/enterprises') expect((a.body as { id: string }[]).map((e) => e.id)).toEqual(['alu01']);
            else {
              const body = a.body as { items: { enterprise?: string }[]; openByReason?: unknown };
              expect(body.items.every((i) => i.enterprise === 'alu01')).toBe(true);
              expect(body.openByReason).toBeUndefined();
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('quarantine replay: arbitrary bodies', async () => {
    const reason = fc.oneof(fc.constantFrom('bad-json', 'bad-shape', 'unknown-meter', 'unknown-enterprise', 'too-large'), anyText);
    const replayObject = fc.record(
      {
        ids: fc.oneof(
          fc.array(fc.integer({ min: -5, max: 20 }), { maxLength: 5 }),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        reason,
        enterprise: fc.oneof(fc.constantFrom('alu01', 'cem01'), anyText),
        all: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const wellFormed = fc.record(
      {
        ids: fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 5 }),
        reason: fc.constantFrom('bad-json', 'bad-shape', 'unknown-meter', 'too-large'),
        enterprise: fc.constantFrom('alu01', 'cem01', "cem01' OR 1=1 --"),
        all: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    const bodyText = fc.oneof(
      { arbitrary: wellFormed.map((o) => JSON.stringify(o)), weight: 6 },
      { arbitrary: replayObject.map((o) => JSON.stringify(o)), weight: 4 },
      { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 2 },
      {
        arbitrary: fc.constantFrom(
          '{"__proto__": {"all": true}}',
          '{"constructor": {"prototype": {"all": true}}}',
          '{"all": true, "__proto__": {"ids": [1]}}',
          '{"reason": "bad-json", "reason": "bad-shape"}',
          '{"all": true}',
          '{"ids": [1e999]}',
          '{"ids": [9007199254740993]}',
        ),
        weight: 2,
      },
      { arbitrary: fc.oneof(fc.string({ maxLength: 50 }), injection), weight: 1 },
    );
    const type = fc.constantFrom<string | undefined>(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      undefined,
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
    );
    await fc.assert(
      fc.asyncProperty(bodyText, type, fc.constantFrom<Who>('admin', 'admin', 'admin', 'officer', 'alu01', 'none'), async (text, contentType, w) => {
        const token = WHO[w];
        const a = await call('POST', '/api/quarantine/replay', token, { text, ...(contentType !== undefined && { type: contentType }) });
        checkAnswer(a, token, `/api/quarantine/replay ${contentType ?? ''} ${text.slice(0, 200)}`);
        if (w === 'officer' || w === 'alu01') expect([400, 403, 415]).toContain(a.status);
        if (a.status === 200) {
          expect(w).toBe('admin');
          expect(a.body).toEqual({ requested: expect.any(Number), replayed: expect.any(Array), stillRejected: expect.any(Array) });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers an oversized replay body with 413 as JSON', async () => {
    const a = await call('POST', '/api/quarantine/replay', TOKENS.admin, {
      text: JSON.stringify({ ids: [1], pad: 'x'.repeat(1_100_000) }),
      type: 'application/json',
    });
    expect(a.status).toBe(413);
    expect(a.body).toEqual({ error: { code: 'payload-too-large', message: expect.any(String) } });
  });

  it('is still up and healthy afterwards, and the fuzzing stayed under the rate limit', async () => {
    const res = await fetch(`${svc.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(rateLimited).toBe(0);
  });
});
