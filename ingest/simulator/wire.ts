/**
 * Payloads as gateways really send them (contract 2): epoch-ms timestamps mostly, sometimes ISO-8601
 * with the site's offset; now and then a `unit` other than the configured one (converted exactly) or a
 * `quality` flag. Choices come from the injected random source.
 */
import { DateTime } from 'luxon';
import type { MeterConfig } from '../../config/schema';
import type { Quality } from '../../services/energy/reading';
import { conversionFactor, unitDef } from '../../config/units';
import type { SimReading } from './anomalies';

/** Shares of messages / readings that use each variant. */
export const WIRE_VARIANTS = { isoTimestamp: 0.1, otherUnit: 0.05, explicitGood: 0.05, uncertain: 0.01 } as const;

/**
 * Smaller units a value is sometimes sent in. Only smaller ones: 12345.67 kWh as 12345670 Wh is an
 * integer that the service's division turns back into the very same double, so a later resend in kWh
 * is a true duplicate. (As 12.34567 MWh it would come back 1 ulp off about one time in four.)
 */
const SMALLER_UNITS = ['Wh', 'kWh', 'W', 'kW', 'kJ', 'MJ', 'kg'] as const;

interface WireElement {
  meter?: string;
  ts: number | string;
  value: number;
  unit?: string;
  quality?: Quality;
}

export interface Outgoing {
  readonly topic: string;
  readonly payload: string;
}

export class WireFormatter {
  constructor(
    private readonly zone: string,
    private readonly random: () => number,
  ) {}

  /** Readings of one meter on its own topic: one object, or an array when `asArray`. */
  meterMessage(enterpriseId: string, meter: MeterConfig, readings: readonly SimReading[], asArray: boolean, allowOtherUnit = true): Outgoing {
    const iso = this.random() < WIRE_VARIANTS.isoTimestamp;
    const unit = allowOtherUnit && this.random() < WIRE_VARIANTS.otherUnit ? smallerUnit(meter.unit) : undefined;
    const elements = readings.map((r) => {
      const e: WireElement = { ts: this.ts(r.ts, iso), value: r.value };
      if (unit) {
        e.value = toSmaller(r.value);
        e.unit = unit;
      }
      this.addQuality(e);
      return e;
    });
    const body = asArray || elements.length !== 1 ? elements : elements[0];
    return { topic: meterTopic(enterpriseId, meter.id), payload: JSON.stringify(body) };
  }

  /** Several meters of one enterprise on `energy/{enterpriseId}`: always an array of {meter, ts, value}. */
  multiMessage(enterpriseId: string, entries: readonly { meter: MeterConfig; reading: SimReading }[]): Outgoing {
    const iso = this.random() < WIRE_VARIANTS.isoTimestamp;
    const elements: WireElement[] = entries.map(({ meter, reading }) => ({ meter: meter.id, ts: this.ts(reading.ts, iso), value: reading.value }));
    return { topic: `energy/${enterpriseId}`, payload: JSON.stringify(elements) };
  }

  /** A message the service must quarantine: `non-finite` (1e999 parses to Infinity) or `unit-mismatch`. */
  invalidMessage(enterpriseId: string, meter: MeterConfig, reading: SimReading, flaw: 'non-finite' | 'wrong-unit'): Outgoing {
    const topic = meterTopic(enterpriseId, meter.id);
    // JSON.stringify cannot write a non-finite number, so the glitch is written by hand.
    if (flaw === 'non-finite') return { topic, payload: `{"ts":${reading.ts},"value":1e999}` };
    const wrong = unitDef(meter.unit)?.dimension === 'mass' ? 'kWh' : 'kg';
    return { topic, payload: JSON.stringify({ ts: reading.ts, value: reading.value, unit: wrong }) };
  }

  private ts(ms: number, iso: boolean): number | string {
    if (!iso) return ms;
    return DateTime.fromMillis(ms, { zone: this.zone }).toISO({ suppressMilliseconds: true }) ?? ms;
  }

  private addQuality(e: WireElement): void {
    const r = this.random();
    if (r < WIRE_VARIANTS.uncertain) e.quality = 'uncertain';
    else if (r < WIRE_VARIANTS.uncertain + WIRE_VARIANTS.explicitGood) e.quality = 'good';
  }
}

export function meterTopic(enterpriseId: string, meterId: string): string {
  return `energy/${enterpriseId}/${meterId}`;
}

/** The unit 1000 times smaller than `unit` (kWh -> Wh, t -> kg), if the unit table has one. */
function smallerUnit(unit: string): string | undefined {
  return SMALLER_UNITS.find((u) => conversionFactor(unit, u) === 1000);
}

function toSmaller(value: number): number {
  // Readings carry at most 3 decimals, so x1000 is an integer once the float noise is rounded off.
  return Math.round(value * 1000);
}
