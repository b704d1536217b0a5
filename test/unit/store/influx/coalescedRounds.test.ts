import { CoalescedRounds } from '../../../../services/store/influx/coalescedRounds';

describe('CoalescedRounds', () => {
  it('answers every request made while a round runs with one next round, and runs rounds one at a time', async () => {
    const log: string[] = [];
    let release = (): void => undefined;
    let n = 0;
    const rounds = new CoalescedRounds(async () => {
      const k = ++n;
      log.push(`start ${k}`);
      if (k === 1)
        await new Promise<void>((r) => {
          release = r;
        });
      log.push(`end ${k}`);
    });
    const first = rounds.request();
    await Promise.resolve(); // round 1 has started
    const others = [rounds.request(), rounds.request(), rounds.request()];
    expect(others[1]).toBe(others[0]); // shared: one round waits, however many ask
    release();
    await Promise.all([first, ...others]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('a failed round rejects its requests only; the next round runs', async () => {
    let fail = true;
    const rounds = new CoalescedRounds(async () => {
      if (fail) throw new Error('round failed');
    });
    await expect(rounds.request()).rejects.toThrow('round failed');
    fail = false;
    await expect(rounds.request()).resolves.toBeUndefined();
  });

  it('exclusive work never overlaps a round', async () => {
    const active: string[] = [];
    const overlaps: string[][] = [];
    const step = async (name: string): Promise<void> => {
      active.push(name);
      if (active.length > 1) overlaps.push([...active]);
      await new Promise((r) => setTimeout(r, 5));
      active.splice(active.indexOf(name), 1);
    };
    const rounds = new CoalescedRounds(() => step('round'));
    await Promise.all([rounds.request(), rounds.exclusive(() => step('rebuild')), rounds.request(), rounds.idle()]);
    expect(overlaps).toEqual([]);
  });
});
