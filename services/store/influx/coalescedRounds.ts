/**
 * Runs a piece of work in rounds, one at a time, where every request made while a round runs is
 * answered by the next round: however many writes ask for a rollup refresh, at most one round is
 * running and one is waiting. A caller's promise settles with the first round that starts after
 * its request, so that round sees everything the caller did before asking.
 */
export class CoalescedRounds {
  private queued: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly round: () => Promise<void>) {}

  /** The next round not yet started (shared by every request until it starts). */
  request(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = undefined;
      return this.round();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs other work between rounds (never concurrently with one). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves once everything requested so far has run (successfully or not). */
  idle(): Promise<void> {
    return this.chain;
  }
}
