/**
 * The SQLite executor's own guarantees, with two connections on one file (another process or a
 * tool beside the service): a write that waited for the other connection's lock neither blocks the
 * event loop nor slips into a transaction this connection began meanwhile (where that
 * transaction's rollback would take it along, after it was reported as done).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStateDb } from '../../../services/store/state/db/sqliteStateDb';

const insert = "INSERT INTO report_setting (name, value) VALUES (?, 'x')";

describe('SqliteStateDb with a second connection holding the write lock', () => {
  let dir: string;
  let a: SqliteStateDb;
  let b: SqliteStateDb;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sqlite-state-'));
    a = new SqliteStateDb(path.join(dir, 'state.db'));
    b = new SqliteStateDb(path.join(dir, 'state.db'));
    await a.start();
    await b.start();
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** b holds the write lock until the returned function is called. */
  async function holdLock(): Promise<() => Promise<void>> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const done = b.transaction(async (tx) => {
      await tx.run(insert, ['held by b']);
      locked();
      await gate;
    });
    await holding;
    return async () => {
      release();
      await done;
    };
  }

  it('a write waiting for the lock lets timers run, and lands once the lock is free', async () => {
    const release = await holdLock();
    const write = a.run(insert, ['waited']);
    // The event loop is free while it waits: a timer fires.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await release();
    await expect(write).resolves.toEqual({ changes: 1 });
    expect(await a.all('SELECT name FROM report_setting ORDER BY name')).toEqual([{ name: 'held by b' }, { name: 'waited' }]);
  });

  it('a write that waited is not taken into a transaction of its own connection that began meanwhile and rolled back', async () => {
    // The write and the transaction retry on their own schedules: over several offsets the
    // transaction wins the lock first in some rounds, and the write then retries while it is open.
    for (const offset of [5, 15, 25, 40, 60, 80]) {
      const release = await holdLock();
      const write = a.run(insert, [`outside ${offset}`]);
      await new Promise((resolve) => setTimeout(resolve, offset));
      const failing = a.transaction(async (tx) => {
        await tx.run(insert, [`inside ${offset}`]);
        // Long enough for the waiting write to try again while this transaction is open.
        await new Promise((resolve) => setTimeout(resolve, 250));
        throw new Error('work failed');
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      await release();
      await expect(write).resolves.toEqual({ changes: 1 });
      await expect(failing).rejects.toThrow('work failed');
      // The write reported as done is there; the failed transaction's row is not.
      const names = (await a.all<{ name: string }>('SELECT name FROM report_setting')).map((r) => r.name);
      expect({ offset, outside: names.includes(`outside ${offset}`), inside: names.includes(`inside ${offset}`) }).toEqual({
        offset,
        outside: true,
        inside: false,
      });
      await a.run("DELETE FROM report_setting WHERE name = 'held by b'");
    }
  });
});
