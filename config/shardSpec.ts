/**
 * A static shard of ingestion, `i/N` (`--shard` or INGEST_SHARD; README "Scale-out"): the setting
 * itself, parsed where the rest of the environment is. Which messages a shard keeps is
 * ingest/shard.ts.
 */

export interface ShardSpec {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
}

export class ShardSpecError extends Error {
  /** The message without the source, for lists of problems keyed by the source. */
  readonly problem: string;
  constructor(
    readonly value: string,
    readonly source: string,
    detail: string,
  ) {
    const problem = `invalid shard "${value}": ${detail} (expected i/N with 0 <= i < N, e.g. 0/2)`;
    super(`${source}: ${problem}`);
    this.name = 'ShardSpecError';
    this.problem = problem;
  }
}

/** Parses `i/N` (0-based i). `source` names where it came from, for the message. */
export function parseShard(value: string, source: string): ShardSpec {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(value);
  if (!m) throw new ShardSpecError(value, source, 'not of the form i/N');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new ShardSpecError(value, source, 'N must be at least 1');
  if (index >= count) throw new ShardSpecError(value, source, `i must be below N (shards are numbered from 0 to ${count - 1})`);
  return { index, count };
}

/** `i-of-N`, used in the default client id and journal directory of a shard. */
export const shardLabel = (s: ShardSpec): string => `${s.index}-of-${s.count}`;
