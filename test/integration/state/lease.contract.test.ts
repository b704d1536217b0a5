/**
 * The rules lease on the state database, held to the same behaviour on SQLite and PostgreSQL: one
 * holder at a time, renewal keeps the fencing token, a lapse or a release hands it over with the
 * token raised by one, assertHeld() fences a caller's transaction.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../config/paths';
import type { Logger } from '../../../services/core/log';
import type { SqlExecutor, StateDb } from '../../../services/store/state/db/sqlExecutor';
import { Lease, LeaseLostError, type LeaseDeps } from '../../../services/store/state/lease';
import { describeStateEngines } from '../../helpers/stateDb';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The clock expiry times are on: the database's on PostgreSQL, the process's on SQLite. */
async function expiryClock(db: SqlExecutor): Promise<number> {
  if (db.dialect === 'sqlite') return Date.now();
  const row = await db.get<{ now: number }>('SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now');
  return row?.now ?? 0;
}

async function leaseRow(db: SqlExecutor, name = 'rules') {
  return db.get<{ holder: string; expires_at: number; token: number }>('SELECT holder, expires_at, token FROM leases WHERE name = ?', [name]);
}

/** Two processes try the same `rounds` fresh lease names at the same moment; returns the rounds each won. */
async function raceInProcesses(file: string, rounds: number): Promise<[number[], number[]]> {
  const script = `
    const { SqliteStateDb } = require('./services/store/state/db/sqliteStateDb');
    const { Lease } = require('./services/store/state/lease');
    (async () => {
      const [file, holder, rounds, startAt] = process.argv.slice(1);
      const db = new SqliteStateDb(file);
      await db.start();
      while (Date.now() < Number(startAt)) {}
      const wins = [];
      for (let r = 0; r < Number(rounds); r++)
        if (await new Lease(db, { name: 'round-' + r, holder, ttlMs: 60000, renewMs: 1000 }).tryAcquire()) wins.push(r);
      await db.stop();
      process.stdout.write(JSON.stringify(wins));
    })();`;
  const startAt = String(Date.now() + 3000);
  const run = (holder: string) =>
    promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', script, file, holder, String(rounds), startAt], { cwd: PROJECT_ROOT });
  const [a, b] = await Promise.all([run('a'), run('b')]);
  return [JSON.parse(a.stdout) as number[], JSON.parse(b.stdout) as number[]];
}

describeStateEngines('Lease', (engine) => {
  const leases: Lease[] = [];
  const lease = (db: SqlExecutor, holder: string, extra: { ttlMs?: number; renewMs?: number } & LeaseDeps = {}) => {
    const { ttlMs = 30_000, renewMs = 10_000, ...deps } = extra;
    const l = new Lease(db, { name: 'rules', holder, ttlMs, renewMs }, deps);
    leases.push(l);
    return l;
  };
  /** Two connections to one fresh database, as two processes (or hosts) would have. */
  const twoConnections = async (): Promise<[StateDb, StateDb]> => {
    const db = await engine.fresh();
    return [db, await engine.reopen(db)];
  };
  afterEach(async () => {
    for (const l of leases.splice(0)) await l.stop();
  });

  it('only one of two holders on two connections holds it; renewing keeps it and its token', async () => {
    const [db1, db2] = await twoConnections();
    const a = lease(db1, 'a');
    const b = lease(db2, 'b');
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect([a.held, b.held]).toEqual([true, false]);
    expect([a.token, b.token]).toEqual([1, undefined]);
    for (let i = 0; i < 5; i++) {
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
    }
    expect(a.token).toBe(1);
    expect(await leaseRow(db2)).toMatchObject({ holder: 'a', token: 1 });
    expect(b.state()).toMatchObject({ name: 'rules', held: false, holder: 'b', currentHolder: 'a', token: 1 });
    expect(a.state()).toMatchObject({ held: true, holder: 'a', currentHolder: 'a', token: 1 });
  });

  it('the expiry is ttlMs after the attempt, on the expiry clock, and state() reports it', async () => {
    const db = await engine.fresh();
    const a = lease(db, 'a', { ttlMs: 60_000 });
    const before = await expiryClock(db);
    expect(await a.tryAcquire()).toBe(true);
    const after = await expiryClock(db);
    const row = await leaseRow(db);
    expect(row?.expires_at).toBeGreaterThanOrEqual(before + 60_000);
    expect(row?.expires_at).toBeLessThanOrEqual(after + 60_000);
    expect(a.state().expiresAt).toBe(row?.expires_at);
  });

  it('after the holder lapses (died without releasing) the other takes it with the token + 1', async () => {
    const [db1, db2] = await twoConnections();
    const a = lease(db1, 'a', { ttlMs: 300, renewMs: 100 });
    const b = lease(db2, 'b', { ttlMs: 300, renewMs: 100 });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    await sleep(400);
    // a's own clock says its lease lapsed, before anyone else takes it.
    expect(a.held).toBe(false);
    expect(a.token).toBeUndefined();
    expect(b.state().currentHolder).toBeUndefined();
    expect(await b.tryAcquire()).toBe(true);
    expect(b.token).toBe(2);
    expect(await a.tryAcquire()).toBe(false);
    expect(a.held).toBe(false);
    expect(await leaseRow(db1)).toMatchObject({ holder: 'b', token: 2 });
  });

  it('release() lets the other take it at once; the row stays, so the token keeps rising across holders', async () => {
    const [db1, db2] = await twoConnections();
    const changes: boolean[] = [];
    const a = lease(db1, 'a', { onChange: (held) => changes.push(held) });
    const b = lease(db2, 'b');
    expect(await a.tryAcquire()).toBe(true);
    await a.release();
    expect([a.held, a.token]).toEqual([false, undefined]);
    expect(await b.tryAcquire()).toBe(true);
    expect(b.token).toBe(2);
    expect(await a.tryAcquire()).toBe(false);
    await b.release();
    expect(await a.tryAcquire()).toBe(true);
    expect(a.token).toBe(3);
    expect(changes).toEqual([true, false, true]);
  });

  it('release() by a holder that lost the lease leaves the new holder alone', async () => {
    const [db1, db2] = await twoConnections();
    const a = lease(db1, 'a', { ttlMs: 300, renewMs: 100 });
    const b = lease(db2, 'b');
    expect(await a.tryAcquire()).toBe(true);
    await sleep(400);
    expect(await b.tryAcquire()).toBe(true);
    await a.release();
    expect(await leaseRow(db1)).toMatchObject({ holder: 'b', token: 2 });
    expect(b.held).toBe(true);
  });

  it('assertHeld() passes for the holder inside its transaction and throws LeaseLostError for anyone else', async () => {
    const [db1, db2] = await twoConnections();
    const a = lease(db1, 'a');
    const b = lease(db2, 'b');
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    await expect(db1.transaction((tx) => a.assertHeld(tx), { lock: 'leases' })).resolves.toBeUndefined();
    await expect(a.assertHeld(db1)).resolves.toBeUndefined();
    const lost = await db2.transaction((tx) => b.assertHeld(tx)).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect(lost).toMatchObject({ code: 'lease-lost', context: { name: 'rules', holder: 'b', currentHolder: 'a', currentToken: 1 } });
  });

  it('assertHeld() throws for a holder whose lease was taken over while its own clock still says it holds it', async () => {
    const [db1, db2] = await twoConnections();
    // a's clock stands still (a paused process, a clock behind): only the database can tell it lost the lease.
    const frozen = Date.now();
    const a = lease(db1, 'a', { ttlMs: 300, renewMs: 100, now: () => frozen });
    const b = lease(db2, 'b', { ttlMs: 300, renewMs: 100 });
    expect(await a.tryAcquire()).toBe(true);
    await sleep(400);
    expect(await b.tryAcquire()).toBe(true);
    expect([a.held, a.token]).toEqual([true, 1]);
    const lost = await db1.transaction((tx) => a.assertHeld(tx)).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect(lost).toMatchObject({ context: { name: 'rules', holder: 'a', token: 1, currentHolder: 'b', currentToken: 2 } });
    await expect(db2.transaction((tx) => b.assertHeld(tx))).resolves.toBeUndefined();
  });

  it('assertHeld() throws once the lease lapsed on the expiry clock, even if nobody took it', async () => {
    const db = await engine.fresh();
    const frozen = Date.now();
    const a = lease(db, 'a', { ttlMs: 300, renewMs: 100, now: () => frozen });
    expect(await a.tryAcquire()).toBe(true);
    if (engine.name === 'sqlite') {
      // On SQLite the expiry clock is a's own: move the row's expiry instead of the clock.
      await db.run('UPDATE leases SET expires_at = ? WHERE name = ?', [frozen, 'rules']);
    } else await sleep(400);
    await expect(db.transaction((tx) => a.assertHeld(tx))).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('a row written by another process is respected until it lapses', async () => {
    const db = await engine.fresh();
    const expiresAt = (await expiryClock(db)) + 300;
    await db.run('INSERT INTO leases (name, holder, expires_at, token) VALUES (?, ?, ?, ?)', ['rules', 'host/42/other', expiresAt, 7]);
    const a = lease(db, 'a');
    expect(await a.tryAcquire()).toBe(false);
    expect(a.state()).toMatchObject({ held: false, currentHolder: 'host/42/other', expiresAt, token: 7 });
    await sleep(400);
    expect(a.state().currentHolder).toBeUndefined();
    expect(await a.tryAcquire()).toBe(true);
    expect(await leaseRow(db)).toMatchObject({ holder: 'a', token: 8 });
  });

  it('start() tries at once, stop() releases, and a standby on its timer takes over', async () => {
    const [db1, db2] = await twoConnections();
    const a = lease(db1, 'a', { ttlMs: 3000, renewMs: 100 });
    const b = lease(db2, 'b', { ttlMs: 3000, renewMs: 100 });
    await a.start();
    await b.start();
    expect([a.held, b.held]).toEqual([true, false]);
    await sleep(250);
    expect([a.held, b.held, a.token]).toEqual([true, false, 1]);
    await a.stop();
    expect(a.held).toBe(false);
    for (let i = 0; i < 50 && !b.held; i++) await sleep(20);
    expect([b.held, b.token]).toEqual([true, 2]);
  });

  it('a renewal failing on a database error keeps the lease until it lapses by its own clock, with a warning', async () => {
    const db = await engine.fresh();
    let failing = false;
    const flaky: SqlExecutor = {
      dialect: db.dialect,
      all: (sql, params) => db.all(sql, params),
      get: (sql, params) => db.get(sql, params),
      run: (sql, params) => db.run(sql, params),
      transaction: (work, options) => (failing ? Promise.reject(new Error('connection lost')) : db.transaction(work, options)),
    };
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
    const a = lease(flaky, 'a', { ttlMs: 500, renewMs: 100, logger });
    await a.start();
    expect(a.held).toBe(true);
    failing = true;
    await sleep(250);
    expect([a.held, a.token]).toEqual([true, 1]);
    expect(warnings).toContain('lease renewal failed');
    await sleep(400);
    expect(a.held).toBe(false);
    failing = false;
    for (let i = 0; i < 50 && !a.held; i++) await sleep(20);
    expect([a.held, a.token]).toEqual([true, 1]);
  });

  it('refuses a renewal period not below the TTL', async () => {
    const db = await engine.fresh();
    expect(() => lease(db, 'a', { ttlMs: 1000, renewMs: 1000 })).toThrow(RangeError);
    expect(() => lease(db, 'a', { ttlMs: 1000, renewMs: 0 })).toThrow(RangeError);
  });

  if (engine.name === 'sqlite') {
    it('on SQLite the expiry is on the process clock, to the millisecond', async () => {
      const [db1, db2] = await twoConnections();
      let clock = Date.parse('2026-11-28T08:00:00Z');
      const now = () => clock;
      const a = lease(db1, 'a', { now });
      const b = lease(db2, 'b', { now });
      expect(await a.tryAcquire()).toBe(true);
      expect(await leaseRow(db1)).toEqual({ holder: 'a', expires_at: 1_795_852_830_000, token: 1 });
      clock += 29_999;
      expect(await b.tryAcquire()).toBe(false);
      expect(a.held).toBe(true);
      clock += 1;
      expect(a.held).toBe(false);
      expect(await b.tryAcquire()).toBe(true);
      expect(await leaseRow(db1)).toEqual({ holder: 'b', expires_at: 1_795_852_860_000, token: 2 });
    });

    it('two processes trying the same leases at the same moment never both win', async () => {
      const db = await engine.fresh();
      const rounds = 300;
      const [a, b] = await raceInProcesses(db.location, rounds);
      expect(a.filter((r) => b.includes(r))).toEqual([]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: rounds }, (_, r) => r));
    }, 60_000);
  } else {
    it('two connections trying the same leases at the same moment never both win', async () => {
      const [db1, db2] = await twoConnections();
      for (let r = 0; r < 100; r++) {
        const options = { name: `round-${r}`, ttlMs: 60_000, renewMs: 1000 };
        const won = await Promise.all([
          new Lease(db1, { ...options, holder: 'a' }).tryAcquire(),
          new Lease(db2, { ...options, holder: 'b' }).tryAcquire(),
        ]);
        expect(won.filter(Boolean)).toHaveLength(1);
      }
    });

    it("assertHeld() in an open transaction holds a takeover off until that transaction's writes are in", async () => {
      const [db1, db2] = await twoConnections();
      const a = lease(db1, 'a', { ttlMs: 300, renewMs: 100 });
      const b = lease(db2, 'b', { ttlMs: 300, renewMs: 100 });
      expect(await a.tryAcquire()).toBe(true);
      const order: string[] = [];
      const fenced = db1.transaction(async (tx) => {
        await a.assertHeld(tx);
        await sleep(500);
        await tx.run("INSERT INTO leases (name, holder, expires_at, token) VALUES ('fenced work', 'a', 0, 1)");
        order.push('a committed');
      });
      await sleep(400);
      const takeover = b.tryAcquire().then((won) => order.push(`b won: ${won}`));
      await Promise.all([fenced, takeover]);
      expect(order).toEqual(['a committed', 'b won: true']);
      expect(b.token).toBe(2);
    });
  }
});
