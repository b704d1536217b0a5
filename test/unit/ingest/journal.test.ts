import fs, { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../../ingest/journal';

/** Resolves when `done()` holds, checking every 5 ms for at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
}

const msg = (i: number) => ({ topic: `energy/alu01/m${i % 3}`, payload: Buffer.from(JSON.stringify({ ts: i, value: i })), receivedAt: 1000 + i });
const payloads = (records: { message: { payload: Buffer | string } }[]) => records.map((r) => JSON.parse(r.message.payload.toString()).ts as number);

describe('Journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back appended messages in order, byte for byte, and counts what is pending', () => {
    const j = new Journal({ dir });
    j.open();
    const binary = { topic: 'energy/x', payload: Buffer.from([0, 255, 10, 13, 34]), receivedAt: 5, clientId: 'gw' };
    j.append(binary);
    for (let i = 0; i < 5; i++) j.append(msg(i));
    expect(j.depth).toBe(6);
    const first = j.read(2);
    expect(first[0]!.message).toEqual(binary);
    expect(payloads([first[1]!])).toEqual([0]);
    expect(payloads(j.read(10))).toEqual([1, 2, 3, 4]);
    expect(j.read(10)).toEqual([]);
    j.commit(first[1]!.end, 2);
    expect(j.depth).toBe(4);
    j.close();
  });

  it('replays what was not committed after a crash (no close), and only that', () => {
    const a = new Journal({ dir });
    a.open();
    for (let i = 0; i < 10; i++) a.append(msg(i));
    const batch = a.read(4);
    a.commit(batch[3]!.end, 4);
    // The process dies here: no close(), no fsync beyond what the OS already has.
    const b = new Journal({ dir });
    b.open();
    expect(b.depth).toBe(6);
    const replay = b.read(100);
    expect(payloads(replay)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(replay.every((r) => b.isReplay(r.end))).toBe(true);
    b.append(msg(10));
    const fresh = b.read(100);
    expect(payloads(fresh)).toEqual([10]);
    expect(b.isReplay(fresh[0]!.end)).toBe(false);
    b.close();
  });

  it('rewinds to the last commit after a failed store write', () => {
    const j = new Journal({ dir });
    j.open();
    for (let i = 0; i < 6; i++) j.append(msg(i));
    j.commit(j.read(2)[1]!.end, 2);
    expect(payloads(j.read(3))).toEqual([2, 3, 4]);
    j.rewind();
    expect(payloads(j.read(10))).toEqual([2, 3, 4, 5]);
    j.close();
  });

  it('rotates segments and deletes the ones fully stored', () => {
    const j = new Journal({ dir, segmentBytes: 300 });
    j.open();
    for (let i = 0; i < 40; i++) j.append(msg(i));
    const segments = () => readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(segments().length).toBeGreaterThan(5);
    const all = j.read(1000);
    expect(payloads(all)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    j.commit(all[29]!.end, 30);
    expect(j.depth).toBe(10);
    expect(segments().length).toBeLessThan(5);
    j.close();
    const again = new Journal({ dir, segmentBytes: 300 });
    again.open();
    expect(payloads(again.read(1000))).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));
    expect(again.bytes).toBeGreaterThan(0);
    again.close();
  });

  it('drops a torn last line (never acknowledged) when it opens', () => {
    const j = new Journal({ dir });
    j.open();
    j.append(msg(1));
    j.close();
    const file = path.join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.log'))!,
    );
    appendFileSync(file, '{"t":"energy/alu01/m1","r":1,"p":"ey');
    const k = new Journal({ dir });
    k.open();
    k.append(msg(2));
    expect(payloads(k.read(10))).toEqual([1, 2]);
    k.close();
  });

  it('keeps depth exact when an unparsable line is skipped (commit counts the lines it passes, not the records)', () => {
    const j = new Journal({ dir, segmentBytes: 300 });
    j.open();
    for (let i = 0; i < 3; i++) j.append(msg(i));
    j.close();
    const segs = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    appendFileSync(path.join(dir, segs[segs.length - 1]!), 'garbage, not JSON\n');
    const k = new Journal({ dir, segmentBytes: 300 });
    k.open();
    for (let i = 3; i < 12; i++) k.append(msg(i));
    expect(k.depth).toBe(13);
    const first = k.read(5);
    k.commit(first[first.length - 1]!.end, first.length);
    const rest = k.read(1000);
    expect(payloads([...first, ...rest])).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // The pipeline passes the number of parsed records (12), one less than the lines committed.
    k.commit(rest[rest.length - 1]!.end, rest.length);
    expect(k.depth).toBe(0);
    k.close();
    const again = new Journal({ dir, segmentBytes: 300 });
    again.open();
    expect(again.depth).toBe(0);
    again.close();
  });

  it('reports a failing periodic fdatasync through onError instead of throwing from the timer, and retries', async () => {
    const errors: Error[] = [];
    const spy = jest.spyOn(fs, 'fdatasyncSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    });
    const j = new Journal({ dir, fsyncIntervalMs: 5, onError: (err) => errors.push(err) });
    try {
      j.open();
      j.append(msg(1));
      // Timers are late on a loaded machine: wait for the second attempt (at most 5 s), not a fixed 60 ms.
      await until(() => errors.length >= 2);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]!.message).toContain('EIO');
      spy.mockRestore();
      const calls = jest.spyOn(fs, 'fdatasyncSync');
      await until(() => calls.mock.calls.length > 0);
      expect(calls).toHaveBeenCalled();
      const before = errors.length;
      await new Promise((r) => setTimeout(r, 30));
      expect(errors.length).toBe(before);
      calls.mockRestore();
    } finally {
      spy.mockRestore();
      j.close();
    }
  });

  it('ignores a failing periodic fdatasync without onError (no crash)', async () => {
    const spy = jest.spyOn(fs, 'fdatasyncSync').mockImplementation(() => {
      throw new Error('EIO');
    });
    const j = new Journal({ dir, fsyncIntervalMs: 5 });
    try {
      j.open();
      j.append(msg(1));
      await new Promise((r) => setTimeout(r, 40));
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      j.close();
    }
  });
});
