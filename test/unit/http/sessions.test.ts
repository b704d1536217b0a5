import { cookieValue, SessionStore } from '../../../services/http/dashboard/sessions';

const officer = { name: 'officer', role: 'officer' as const };

describe('dashboard sessions', () => {
  it('ends a session after the idle bound, counted from its last use', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 10_000 }, () => now);
    const id = store.create(officer);
    now = 1000;
    expect(store.get(id)).toEqual(officer); // exactly at the bound: still alive, and touched
    now = 2000;
    expect(store.get(id)).toEqual(officer);
    now = 3001;
    expect(store.get(id)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('ends any session after the absolute bound even when used all along', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 2500 }, () => now);
    const id = store.create(officer);
    for (now = 500; now <= 2500; now += 500) expect(store.get(id)).toEqual(officer);
    now = 2501;
    expect(store.get(id)).toBeUndefined();
  });

  it('drops the least recently used session when full, and sign-out deletes', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const a = store.create({ name: 'a', role: 'auditor' });
    const b = store.create({ name: 'b', role: 'auditor' });
    store.get(a); // a is now the most recently used
    const c = store.create({ name: 'c', role: 'auditor' });
    expect(store.get(b)).toBeUndefined();
    expect(store.get(a)?.name).toBe('a');
    store.delete(c);
    expect(store.get(c)).toBeUndefined();
  });

  it('issues unguessable ids: 32 random bytes, base64url', () => {
    const store = new SessionStore();
    const ids = new Set(Array.from({ length: 100 }, () => store.create(officer)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('reads one cookie from a Cookie header and refuses malformed values', () => {
    expect(cookieValue('a=1; em_session=abc_DEF-123; b=2', 'em_session')).toBe('abc_DEF-123');
    expect(cookieValue('em_session=abc;def', 'em_session')).toBe('abc');
    expect(cookieValue('em_session="<script>"', 'em_session')).toBeUndefined();
    expect(cookieValue('other=1', 'em_session')).toBeUndefined();
    expect(cookieValue(undefined, 'em_session')).toBeUndefined();
  });
});
