/**
 * Static shard assignment of ingestion (scale-out, issue 7). With `--shard i/N` every instance
 * subscribes to all topics and keeps only what it owns, so it works on any broker:
 *
 * - a meter (enterprise, meter) belongs to shard `fnv1a32("enterprise/meter") mod N`, so one
 *   instance, and one ConsumptionTracker, sees all of a meter's readings;
 * - a message on a meter's topic `energy/{e}/{m}` belongs to that meter's shard whatever its
 *   content (bad JSON, unknown meter ...): it is quarantined there, and only there;
 * - on the multi-meter topic `energy/{e}` each array element with a string `meter` goes to that
 *   meter's shard (the array is split: the elements it keeps are cut out of the received text as
 *   they are, not re-serialised, so the decoder parses what the gateway sent); everything that cannot be attributed to
 *   a meter (bad JSON, not an array, an empty array, an unknown enterprise, a payload over the size
 *   limit, an element without `meter`, a topic outside `energy/...`) belongs to the shard of the
 *   topic itself, `fnv1a32(topic) mod N`, so it too is quarantined by exactly one instance.
 *
 * Every instance applies the same pure function to the same message, so the owners never
 * disagree, and messages are dropped before the journal: a foreign message costs a hash, not a
 * disk write.
 */
import type { ShardSpec } from '../config/shardSpec';
import { parseTopic, type RawMessage } from './decode';

/** FNV-1a, 32 bit, over the UTF-8 bytes: stable across processes, versions and platforms. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shard that owns a meter. */
export const meterShard = (enterprise: string, meter: string, count: number): number => fnv1a32(`${enterprise}/${meter}`) % count;

/** The shard that owns what cannot be attributed to a meter: by the topic. */
export const topicShard = (topic: string, count: number): number => fnv1a32(topic) % count;

export interface ShardFilterOptions {
  readonly shard: ShardSpec;
  /** Payloads above this are left whole (the decoder quarantines them as too-large). */
  readonly maxPayloadBytes: number;
  /** Configured enterprise ids: an unknown enterprise's array is quarantined whole, once. */
  readonly enterprises: ReadonlySet<string>;
}

export interface ShardFilterStats {
  /** Messages kept whole. */
  kept: number;
  /** Multi-meter arrays of which this shard kept some elements only. */
  split: number;
  /** Messages left entirely to other shards. */
  foreign: number;
}

const SPACE = 0x20,
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c;
const OPEN_ARRAY = 0x5b,
  CLOSE_ARRAY = 0x5d,
  OPEN_OBJECT = 0x7b,
  CLOSE_OBJECT = 0x7d;
const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

/**
 * The [start, end) offsets of each top-level element of a JSON array text that JSON.parse has
 * already accepted (so no syntax is checked here): one linear scan that tracks strings and
 * nesting depth. Iterative, so an element nested too deeply for a recursive serialiser is cut
 * out all the same.
 */
export function elementSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let i = text.indexOf('[') + 1;
  let depth = 0;
  let start = -1;
  let end = -1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (start === -1) start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
      end = i + 1;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (start === -1) start = i;
      depth++;
    } else if (depth > 0 && (c === CLOSE_ARRAY || c === CLOSE_OBJECT)) {
      depth--;
      end = i + 1;
    } else if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY)) {
      if (start !== -1) spans.push([start, end]);
      start = -1;
      if (c === CLOSE_ARRAY) break;
    } else if (!isSpace(c)) {
      // A scalar (number, true, false, null): runs to the next delimiter.
      if (start === -1) start = i;
      end = i + 1;
    }
  }
  return spans;
}

export class ShardFilter {
  readonly stats: ShardFilterStats = { kept: 0, split: 0, foreign: 0 };

  constructor(private readonly options: ShardFilterOptions) {}

  get shard(): ShardSpec {
    return this.options.shard;
  }

  /** This shard's part of the message: the message itself, a message with fewer elements, or undefined. */
  route(msg: RawMessage): RawMessage | undefined {
    const out = this.part(msg);
    if (out === undefined) this.stats.foreign++;
    else if (out === msg) this.stats.kept++;
    else this.stats.split++;
    return out;
  }

  private part(msg: RawMessage): RawMessage | undefined {
    const { index, count } = this.options.shard;
    if (count === 1) return msg;
    const whole = (owner: number): RawMessage | undefined => (owner === index ? msg : undefined);
    const topic = parseTopic(msg.topic);
    if (topic?.meter !== undefined) return whole(meterShard(topic.enterprise, topic.meter, count));
    const fallback = topicShard(msg.topic, count);
    const size = typeof msg.payload === 'string' ? Buffer.byteLength(msg.payload) : msg.payload.length;
    if (!topic || size > this.options.maxPayloadBytes || !this.options.enterprises.has(topic.enterprise)) return whole(fallback);
    const text = typeof msg.payload === 'string' ? msg.payload : msg.payload.toString('utf8');
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      // Bad JSON, or nesting too deep for the parser: the decoder rejects it whole.
      return whole(fallback);
    }
    if (!Array.isArray(items) || items.length === 0) return whole(fallback);
    const mine: number[] = [];
    items.forEach((item, i) => {
      // The same attribution as the decoder's: an object with a string `meter` (decode.ts).
      const meter =
        item && typeof item === 'object' && !Array.isArray(item) && 'meter' in item && typeof item.meter === 'string' ? item.meter : undefined;
      const owner = meter === undefined ? fallback : meterShard(topic.enterprise, meter, count);
      if (owner === index) mine.push(i);
    });
    if (mine.length === 0) return undefined;
    if (mine.length === items.length) return msg;
    // This shard's elements as the gateway wrote them (an overflowing 1e999 stays 1e999).
    const spans = elementSpans(text);
    return { ...msg, payload: `[${mine.map((i) => text.slice(spans[i]![0], spans[i]![1])).join(',')}]` };
  }
}
