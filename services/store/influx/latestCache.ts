/**
 * The newest reading per meter, kept between latest() calls so that the rules engine's minute
 * cycle does not make InfluxDB find the newest point of 6,000 series each time (1.6-8.6 s for a
 * 300 x 20 district in the report bench). Filled by a full scan per enterprise (at most hourly),
 * by this process's own writes as they are acknowledged, and by polls of the readings with
 * timestamps since the previous poll (what other processes wrote). A write that turns a meter's
 * newest usable reading bad marks the meter dirty: its newest usable reading is looked up again.
 * Pure state: the store does the reading.
 */
import { usable, type Reading } from '../../energy/reading';
import { meterKeyId, type LatestReading, type MeterKey } from '../timeSeriesStore';

interface Entry {
  scannedAt: number;
  /** The next poll reads readings with ts at or after this. */
  polledFrom: number;
  readonly meters: Map<string, LatestReading>;
  /** Per meter, the sequence number of this process's last write: what a scan that started before it cannot have seen. */
  readonly written: Map<string, number>;
  /** Meters whose newest usable reading must be looked up again, with the sequence number of the write that said so. */
  readonly dirty: Map<string, number>;
}

/** The newer of two answers for one meter: latest ts and latest usable reading, each on its own. */
function newer(a: LatestReading | undefined, b: LatestReading): LatestReading {
  if (a === undefined) return b;
  const lastGood = a.lastGood === undefined ? b.lastGood : b.lastGood === undefined || a.lastGood.ts > b.lastGood.ts ? a.lastGood : b.lastGood;
  return { enterprise: b.enterprise, meter: b.meter, lastTs: Math.max(a.lastTs, b.lastTs), ...(lastGood !== undefined && { lastGood }) };
}

export class LatestCache {
  private readonly entries = new Map<string, Entry>();
  /** Counts this process's writes; a lookup notes it when it starts (mark()) and passes it back. */
  private seq = 0;

  constructor(private readonly options: { fullScanMs: number; pollSlackMs: number }) {}

  /** Taken before a scan or lookup starts; writes after it are merged over its answer. */
  mark(): number {
    return this.seq;
  }

  /** Enterprises whose history has to be scanned in full (never, or longer ago than fullScanMs). */
  stale(enterprises: readonly string[], now: number): string[] {
    return enterprises.filter((e) => now - (this.entries.get(e)?.scannedAt ?? -Infinity) > this.options.fullScanMs);
  }

  /**
   * A full scan started at `startedAt` (and at sequence `since`) replaces what was known of these
   * enterprises; this process's writes acknowledged while it ran are newer-wins merged back and
   * their dirty marks kept, so none is lost.
   */
  scanned(enterprises: readonly string[], rows: readonly LatestReading[], startedAt: number, since: number): void {
    const fresh = new Map<string, Map<string, LatestReading>>(enterprises.map((e) => [e, new Map()]));
    for (const r of rows) fresh.get(r.enterprise)?.set(r.meter, r);
    for (const [e, meters] of fresh) {
      const old = this.entries.get(e);
      const written = new Map(old?.written);
      const dirty = new Map([...(old?.dirty ?? [])].filter(([, at]) => at > since));
      for (const [m, at] of written) {
        const mine = old?.meters.get(m);
        if (at > since && mine !== undefined) meters.set(m, newer(meters.get(m), mine));
      }
      this.entries.set(e, { scannedAt: startedAt, polledFrom: startedAt - this.options.pollSlackMs, meters, written, dirty });
    }
  }

  /** Where the next poll of these (scanned) enterprises starts. */
  pollFrom(enterprises: readonly string[]): number {
    return Math.min(...enterprises.map((e) => this.entries.get(e)?.polledFrom ?? -Infinity));
  }

  /** A poll started at `startedAt`: newer answers win, and the next poll starts a little before it. */
  polled(enterprises: readonly string[], rows: readonly LatestReading[], startedAt: number): void {
    for (const r of rows) {
      const entry = this.entries.get(r.enterprise);
      entry?.meters.set(r.meter, newer(entry.meters.get(r.meter), r));
    }
    for (const e of enterprises) {
      const entry = this.entries.get(e);
      if (entry) entry.polledFrom = Math.max(entry.polledFrom, startedAt - this.options.pollSlackMs);
    }
  }

  /** Readings this process stored (acknowledged by the database). */
  wrote(readings: readonly Reading[]): void {
    for (const r of readings) {
      let entry = this.entries.get(r.enterprise);
      // Not scanned yet: kept all the same (still stale), so a scan running now merges it back.
      if (entry === undefined)
        this.entries.set(
          r.enterprise,
          (entry = { scannedAt: -Infinity, polledFrom: -Infinity, meters: new Map(), written: new Map(), dirty: new Map() }),
        );
      const seq = ++this.seq;
      entry.written.set(r.meter, seq);
      const cur = entry.meters.get(r.meter);
      const good = usable(r);
      if (good && (cur?.lastGood === undefined || r.ts >= cur.lastGood.ts)) {
        entry.meters.set(r.meter, { enterprise: r.enterprise, meter: r.meter, lastTs: Math.max(cur?.lastTs ?? r.ts, r.ts), lastGood: r });
        continue;
      }
      const lastGood = cur?.lastGood !== undefined && !(r.ts === cur.lastGood.ts && !good) ? cur.lastGood : undefined;
      // A new meter's first reading is bad, or the newest usable one was corrected to bad: the
      // newest usable reading (if any) is an older one, only the store knows which.
      if (!good && (cur === undefined || cur.lastGood?.ts === r.ts)) entry.dirty.set(r.meter, seq);
      entry.meters.set(r.meter, {
        enterprise: r.enterprise,
        meter: r.meter,
        lastTs: Math.max(cur?.lastTs ?? r.ts, r.ts),
        ...(lastGood !== undefined && { lastGood }),
      });
    }
  }

  /** Meters whose newest usable reading has to be looked up again. */
  dirty(enterprises: readonly string[]): MeterKey[] {
    return enterprises.flatMap((e) => [...(this.entries.get(e)?.dirty.keys() ?? [])].map((meter) => ({ enterprise: e, meter })));
  }

  /**
   * The store's answer for dirty meters (rows for some of them; the rest have no reading), looked
   * up from sequence `since`: a meter written again meanwhile keeps the newer of both, and its mark.
   */
  resolved(meters: readonly MeterKey[], rows: readonly LatestReading[], since: number): void {
    const found = new Map(rows.map((r) => [meterKeyId(r.enterprise, r.meter), r]));
    for (const m of meters) {
      const entry = this.entries.get(m.enterprise);
      if (!entry) continue;
      if ((entry.dirty.get(m.meter) ?? -1) <= since) entry.dirty.delete(m.meter);
      const row = found.get(meterKeyId(m.enterprise, m.meter));
      const cur = entry.meters.get(m.meter);
      const writtenSince = (entry.written.get(m.meter) ?? -1) > since;
      if (writtenSince) {
        if (row !== undefined) entry.meters.set(m.meter, newer(cur, row));
      } else if (row === undefined) {
        entry.meters.delete(m.meter);
      } else {
        entry.meters.set(m.meter, cur === undefined ? row : { ...row, lastTs: Math.max(row.lastTs, cur.lastTs) });
      }
    }
  }

  /** The newest reading per meter of these enterprises; with `since`, as LatestOptions.since defines. */
  answer(enterprises: readonly string[], since?: number): LatestReading[] {
    const out: LatestReading[] = [];
    for (const e of enterprises) {
      for (const l of this.entries.get(e)?.meters.values() ?? []) {
        if (since === undefined) out.push(l);
        else if (l.lastTs >= since)
          out.push(l.lastGood !== undefined && l.lastGood.ts < since ? { enterprise: l.enterprise, meter: l.meter, lastTs: l.lastTs } : l);
      }
    }
    return out.sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
  }
}
