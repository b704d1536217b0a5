/**
 * Topic and payload decoding (contract 2): from an MQTT message to typed readings, or to the
 * reason it cannot be accepted. Pure apart from the clock passed in; nothing untyped goes inward.
 */
import { z } from 'zod';
import type { Reading } from '../services/energy/reading';
import { conversionFactor, convert } from '../config/units';
import type { QuarantineInput, QuarantineReason } from '../services/store/state/stateStore';
import { payloadSample } from './payloadSample';
import type { MeterRegistry } from '../services/energy/meterRegistry';
import type { MeterRef } from '../services/energy/meterScope';

export interface RawMessage {
  readonly topic: string;
  readonly payload: Buffer | string;
  /** Epoch ms when the service received it. */
  readonly receivedAt: number;
  readonly clientId?: string;
}

export interface Decoded {
  readonly readings: Reading[];
  readonly rejected: QuarantineInput[];
}

export interface DecodeOptions {
  readonly maxFutureMs: number;
  readonly maxPayloadBytes: number;
  /** Server clock for the future-ts check (replays use the time of the replay). */
  readonly now: number;
  /** Quarantine rows one message may make; later rejected elements share one summary row (default 100). */
  readonly maxQuarantinePerMessage?: number;
}

/** Rejected elements past the per-message row limit, kept together. */
interface Overflow {
  readonly items: unknown[];
  readonly reasons: Map<QuarantineReason, number>;
  first?: { index: number; message: string; meter?: string };
  last: number;
}

const ID = /^[a-z0-9_-]{1,64}$/;
/** ISO-8601 date-time with an explicit offset (contract 2: "ISO-8601 with an offset"). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const element = z
  .object({
    meter: z.string().optional(),
    ts: z.union([z.number(), z.string()]),
    // Checked by parseValue: zod's number() would turn 1e999 (Infinity) into bad-shape, not non-finite.
    value: z.unknown(),
    unit: z.string().optional(),
    quality: z.enum(['good', 'uncertain', 'bad']).optional(),
  })
  .passthrough();
type Element = z.infer<typeof element>;

/**
 * True for an element that `element` accepts as it is: the common case, checked without zod
 * (zod's safeParse was the largest part of decoding in the ingest profile). Anything else goes
 * through zod, which gives the quarantine its detailed message.
 */
function isPlainElement(item: unknown): item is Element {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const { meter, ts, unit, quality } = item as Record<string, unknown>;
  return (
    (meter === undefined || typeof meter === 'string') &&
    // zod 4's number() refuses Infinity (JSON's 1e999)
    (typeof ts === 'string' || (typeof ts === 'number' && Number.isFinite(ts))) &&
    (unit === undefined || typeof unit === 'string') &&
    (quality === undefined || quality === 'good' || quality === 'uncertain' || quality === 'bad')
  );
}

export type Topic = { enterprise: string; meter?: string };

/** `energy/{enterpriseId}` or `energy/{enterpriseId}/{meterId}`. */
export function parseTopic(topic: string): Topic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'energy' || parts.length < 2 || parts.length > 3) return undefined;
  const [, enterprise, meter] = parts;
  if (!enterprise || !ID.test(enterprise)) return undefined;
  if (parts.length === 3) return meter && ID.test(meter) ? { enterprise, meter } : undefined;
  return { enterprise };
}

class Rejection extends Error {
  constructor(
    readonly reason: QuarantineReason,
    message: string,
  ) {
    super(message);
  }
}

/** The largest instant a JavaScript Date can hold (ECMAScript: 8.64e15 ms). */
const MAX_TS = 8.64e15;

function parseTs(ts: number | string): number {
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts) || !Number.isInteger(ts) || ts < 0 || ts > MAX_TS)
      throw new Rejection('bad-shape', `ts must be epoch milliseconds (a non-negative integer), got ${ts}`);
    return ts;
  }
  if (!ISO_WITH_OFFSET.test(ts)) throw new Rejection('bad-shape', `ts must be epoch ms or ISO-8601 with an offset, got "${ts.slice(0, 40)}"`);
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) throw new Rejection('bad-shape', `ts is not a valid date: "${ts.slice(0, 40)}"`);
  return ms;
}

function parseValue(value: unknown): number {
  if (value === undefined) throw new Rejection('bad-shape', 'value is required');
  if (typeof value === 'string') {
    if (/^[+-]?(nan|inf(inity)?)$/i.test(value.trim())) throw new Rejection('non-finite', `value is ${value}`);
    throw new Rejection('bad-shape', 'value must be a JSON number');
  }
  if (typeof value !== 'number') throw new Rejection('bad-shape', 'value must be a JSON number');
  // JSON numbers such as 1e999 parse to Infinity.
  if (!Number.isFinite(value)) throw new Rejection('non-finite', `value is ${value}`);
  return value;
}

const TOO_DEEP = '(element too deeply nested to keep)';

/** A rejected element as JSON; a pathologically deep one cannot be re-serialised and is noted as such. */
function elementText(item: unknown): string {
  try {
    return JSON.stringify(item) ?? 'null';
  } catch {
    return TOO_DEEP;
  }
}

/**
 * The summary row of the elements past the limit: their JSON array as the payload (a replay decodes
 * it like the original message), the most frequent reason, and the count of each.
 */
function overflowRow(overflow: Overflow, base: Pick<QuarantineInput, 'topic' | 'receivedAt' | 'clientId'>, enterprise: string): QuarantineInput {
  const byCount = [...overflow.reasons].sort((a, b) => b[1] - a[1]);
  const first = overflow.first!;
  return {
    ...base,
    // One element at a time: an element too deep to serialise costs only itself (a placeholder string).
    payload: `[${overflow.items.map((item) => elementJson(item)).join(',')}]`,
    reason: byCount[0]![0],
    detail: `elements ${first.index}-${overflow.last}: ${overflow.items.length} rejected elements kept together in this row (${byCount.map(([r, n]) => `${r} ${n}`).join(', ')}); first: element ${first.index}: ${first.message}`,
    enterprise,
    ...(first.meter !== undefined && { meter: first.meter }),
  };
}

/** An element as JSON inside an array; one that cannot be serialised becomes its placeholder, as a JSON string. */
function elementJson(item: unknown): string {
  const text = elementText(item);
  return text === TOO_DEEP ? JSON.stringify(TOO_DEEP) : text;
}

export interface DecoderDeps {
  /** The meter's decommission instant (MeterTimelines, contract 8.1); readings at or after it are quarantined. */
  readonly decommissionedAt?: (key: MeterRef) => number | undefined;
  /** Formats an instant for a quarantine detail (default ISO-8601 UTC); the app passes the site zone's. */
  readonly formatInstant?: (ms: number) => string;
}

export class PayloadDecoder {
  constructor(
    private readonly meters: MeterRegistry,
    private readonly deps: DecoderDeps = {},
  ) {}

  decode(msg: RawMessage, options: DecodeOptions): Decoded {
    const payloadText = typeof msg.payload === 'string' ? msg.payload : msg.payload.toString('utf8');
    const base = { topic: msg.topic, receivedAt: msg.receivedAt, ...(msg.clientId !== undefined && { clientId: msg.clientId }) };
    const rejectAll = (reason: QuarantineReason, detail: string, extra: { enterprise?: string; meter?: string } = {}): Decoded => ({
      readings: [],
      rejected: [
        { ...base, payload: payloadText.length > options.maxPayloadBytes ? payloadSample(payloadText) : payloadText, reason, detail, ...extra },
      ],
    });

    const size = typeof msg.payload === 'string' ? Buffer.byteLength(msg.payload) : msg.payload.length;
    if (size > options.maxPayloadBytes) return rejectAll('too-large', `payload of ${size} bytes exceeds the limit of ${options.maxPayloadBytes}`);
    const topic = parseTopic(msg.topic);
    if (!topic) return rejectAll('bad-shape', 'topic must be energy/{enterpriseId} or energy/{enterpriseId}/{meterId}');
    const scope = { enterprise: topic.enterprise, ...(topic.meter !== undefined && { meter: topic.meter }) };
    let json: unknown;
    try {
      json = JSON.parse(payloadText);
    } catch (err) {
      return rejectAll('bad-json', `not valid JSON: ${(err as Error).message}`, scope);
    }
    if (!this.meters.enterprise(topic.enterprise))
      return rejectAll('unknown-enterprise', `no enterprise "${topic.enterprise}" in the configuration`, scope);
    if (topic.meter !== undefined && !this.meters.get({ enterprise: topic.enterprise, meter: topic.meter })) {
      return rejectAll('unknown-meter', `no meter "${topic.meter}" in enterprise ${topic.enterprise}`, scope);
    }
    const items: unknown[] = Array.isArray(json) ? json : [json];
    if (items.length === 0) return rejectAll('bad-shape', 'empty array', scope);
    if (topic.meter === undefined && !Array.isArray(json))
      return rejectAll('bad-shape', 'the multi-meter topic takes an array of {meter, ts, value}', scope);

    const readings: Reading[] = [];
    const rejected: QuarantineInput[] = [];
    // One message of 40,000 bad elements must not become 40,000 rows: past the limit they share one.
    const maxRows = options.maxQuarantinePerMessage ?? 100;
    const overflow: Overflow = { items: [], reasons: new Map(), last: 0 };
    items.forEach((item, index) => {
      const meterId = topic.meter ?? (item && typeof item === 'object' && 'meter' in item && typeof item.meter === 'string' ? item.meter : undefined);
      try {
        if (isPlainElement(item)) {
          readings.push(this.toReading(topic, item, options));
        } else {
          const parsed = element.safeParse(item);
          if (!parsed.success)
            throw new Rejection('bad-shape', parsed.error.issues.map((i) => `${i.path.join('.') || 'reading'}: ${i.message}`).join('; '));
          readings.push(this.toReading(topic, parsed.data, options));
        }
      } catch (err) {
        if (!(err instanceof Rejection)) throw err;
        if (rejected.length >= maxRows - 1 && items.length - index > 1) {
          overflow.items.push(item);
          overflow.reasons.set(err.reason, (overflow.reasons.get(err.reason) ?? 0) + 1);
          overflow.first ??= { index, message: err.message, ...(meterId !== undefined && { meter: meterId }) };
          overflow.last = index;
          return;
        }
        if (overflow.items.length > 0) {
          // The last bad element joins the others once some were kept together, so the summary stays in order.
          overflow.items.push(item);
          overflow.reasons.set(err.reason, (overflow.reasons.get(err.reason) ?? 0) + 1);
          overflow.last = index;
          return;
        }
        // One bad element of a gateway's array does not cost the others: it goes alone to the quarantine.
        rejected.push({
          ...base,
          payload: items.length === 1 ? payloadText : elementText(item),
          reason: err.reason,
          detail: items.length === 1 ? err.message : `element ${index}: ${err.message}`,
          enterprise: topic.enterprise,
          ...(meterId !== undefined && { meter: meterId }),
        });
      }
    });
    if (overflow.first) rejected.push(overflowRow(overflow, base, topic.enterprise));
    return { readings, rejected };
  }

  private toReading(topic: Topic, e: Element, options: DecodeOptions): Reading {
    const meterId = topic.meter ?? e.meter;
    if (meterId === undefined) throw new Rejection('bad-shape', 'meter is required on the multi-meter topic');
    const meter = this.meters.get({ enterprise: topic.enterprise, meter: meterId });
    if (!meter) throw new Rejection('unknown-meter', `no meter "${meterId}" in enterprise ${topic.enterprise}`);
    const ts = parseTs(e.ts);
    let value = parseValue(e.value);
    if (e.unit !== undefined) {
      const factor = conversionFactor(e.unit, meter.config.unit);
      if (factor === undefined) throw new Rejection('unit-mismatch', `unit "${e.unit}" does not convert to the meter's unit "${meter.config.unit}"`);
      value = convert(value, factor);
      // 1.7e308 MWh is finite, its kWh are not.
      if (!Number.isFinite(value)) throw new Rejection('non-finite', `value overflows when converted from ${e.unit} to ${meter.config.unit}`);
    }
    if (ts > options.now + options.maxFutureMs) {
      throw new Rejection('future-ts', `ts ${new Date(ts).toISOString()} is more than ${options.maxFutureMs / 1000} s ahead of the server clock`);
    }
    const decommissioned = this.deps.decommissionedAt?.({ enterprise: topic.enterprise, meter: meterId });
    if (decommissioned !== undefined && ts >= decommissioned) {
      const show = this.deps.formatInstant ?? ((ms: number) => new Date(ms).toISOString());
      throw new Rejection(
        'decommissioned',
        `meter ${meterId} was decommissioned at ${show(decommissioned)}; this reading at ${show(ts)} is not counted (retract the decommission event and replay to count it)`,
      );
    }
    return { enterprise: topic.enterprise, meter: meterId, ts, value, quality: e.quality ?? 'good' };
  }
}
