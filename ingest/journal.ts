/**
 * The ingest journal: an append-only, segmented file queue under DATA_DIR/journal. Every MQTT
 * message is appended before its PUBACK goes out, so an acknowledged reading is on disk even if the
 * process dies before it reaches the store; after a restart the journal replays from the last
 * checkpoint. While the store is down the journal grows on disk, not in memory, and drains in
 * order when it returns (replays are harmless: storage is idempotent).
 *
 * Durability: an append is a write(2) into the page cache, which survives a crash of this process
 * (kill -9). Power loss can lose the last `fsyncIntervalMs` of appends; set it to 0 to fsync on
 * every append (much slower: mqtt.js acknowledges one message at a time).
 *
 * Format: one JSON line per message, `{"t": topic, "r": receivedAt, "p": base64 payload}`; a
 * segment file is named after its sequence number. The checkpoint is `{segment, offset}` of the
 * first byte not yet stored, written atomically (temp file + rename).
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { RawMessage } from './decode';

export interface JournalPosition {
  readonly segment: number;
  readonly offset: number;
}

export interface JournalRecord {
  readonly message: RawMessage;
  /** Position just after this record: commit it once the record is stored. */
  readonly end: JournalPosition;
}

export interface JournalOptions {
  readonly dir: string;
  /** Start a new segment beyond this size. */
  readonly segmentBytes?: number;
  /** fdatasync the open segment this often; 0 = on every append. */
  readonly fsyncIntervalMs?: number;
  /**
   * A periodic fdatasync failed (e.g. a disk error). The segment stays dirty and the sync is
   * retried on the next tick. Default: ignored (the next tick retries).
   */
  readonly onError?: (err: Error) => void;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FSYNC_INTERVAL_MS = 100;
const READ_CHUNK = 1024 * 1024;

const segmentName = (n: number): string => `${String(n).padStart(12, '0')}.log`;
const comparePos = (a: JournalPosition, b: JournalPosition): number => a.segment - b.segment || a.offset - b.offset;

export class Journal {
  private readonly segmentBytes: number;
  private readonly fsyncIntervalMs: number;
  private writeSegment = 0;
  private writeFd: number | undefined;
  private writeOffset = 0;
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private committed: JournalPosition = { segment: 0, offset: 0 };
  private readPos: JournalPosition = { segment: 0, offset: 0 };
  /** Where the journal ended when it was opened: records before it are a replay after a restart. */
  private openedAt: JournalPosition = { segment: 0, offset: 0 };
  private pendingCount = 0;

  constructor(private readonly options: JournalOptions) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
  }

  open(): void {
    mkdirSync(this.options.dir, { recursive: true });
    const segments = this.segments();
    this.committed = this.readCheckpoint() ?? { segment: segments[0] ?? 0, offset: 0 };
    this.writeSegment = Math.max(segments[segments.length - 1] ?? 0, this.committed.segment);
    this.writeFd = openSync(this.segmentPath(this.writeSegment), 'a+');
    this.writeOffset = this.trimTornTail(this.writeFd);
    this.readPos = this.committed;
    this.openedAt = { segment: this.writeSegment, offset: this.writeOffset };
    this.pendingCount = this.countFrom(this.committed);
    if (this.fsyncIntervalMs > 0) {
      this.fsyncTimer = setInterval(() => this.syncFromTimer(), this.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  close(): void {
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.fsyncTimer = undefined;
    if (this.writeFd !== undefined) {
      this.sync();
      closeSync(this.writeFd);
      this.writeFd = undefined;
    }
  }

  /** Appends synchronously; when it returns the message survives a crash of this process. */
  append(msg: RawMessage): void {
    if (this.writeFd === undefined) throw new Error('journal is not open');
    const payload = typeof msg.payload === 'string' ? Buffer.from(msg.payload) : msg.payload;
    // The same line JSON.stringify({t, r, p, c}) gives, built without the intermediate object and
    // Buffer: this runs once per MQTT message, before its PUBACK (bench/ingest/hotPaths.ts).
    const r = Number.isFinite(msg.receivedAt) ? String(msg.receivedAt) : 'null';
    const c = msg.clientId === undefined ? '' : `,"c":${JSON.stringify(msg.clientId)}`;
    const line = `{"t":${JSON.stringify(msg.topic)},"r":${r},"p":"${payload.toString('base64')}"${c}}\n`;
    const length = Buffer.byteLength(line);
    if (this.writeOffset > 0 && this.writeOffset + length > this.segmentBytes) this.rotate();
    const written = writeSync(this.writeFd, line, this.writeOffset, 'utf8');
    if (written !== length) throw new Error(`journal: short write (${written} of ${length} bytes)`);
    this.writeOffset += length;
    this.pendingCount++;
    this.dirty = true;
    if (this.fsyncIntervalMs === 0) this.sync();
  }

  /** Up to `max` records after the read position; advances the read position. */
  read(max: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    while (out.length < max) {
      const { segment, offset } = this.readPos;
      const chunk = this.readChunk(this.segmentPath(segment), offset);
      if (chunk.length === 0) {
        // End of this segment: go on to the next one if the writer has moved past it.
        if (segment >= this.writeSegment) break;
        this.readPos = { segment: segment + 1, offset: 0 };
        continue;
      }
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1 && out.length < max; nl = chunk.indexOf(10, start)) {
        const message = Journal.parse(chunk.subarray(start, nl));
        start = nl + 1;
        this.readPos = { segment, offset: offset + start };
        if (message) out.push({ message, end: this.readPos });
      }
      // No complete line left (appends are whole lines, so this is only a torn tail): stop.
      if (start === 0) break;
    }
    return out;
  }

  /**
   * Marks everything before `pos` as stored; deletes fully stored segments.
   *
   * `count` (the number of records the caller stored) is accepted for compatibility but not used:
   * `read()` skips unparsable lines, so the caller's count can be lower than the number of lines
   * committed, and `depth` would drift upward. The lines between the previous commit and `pos`
   * are counted on disk instead, which keeps `depth` exact.
   */
  commit(pos: JournalPosition, _count?: number): void {
    if (comparePos(pos, this.committed) <= 0) return;
    const passed = this.countBetween(this.committed, pos);
    this.committed = pos;
    this.pendingCount = Math.max(0, this.pendingCount - passed);
    const tmp = path.join(this.options.dir, 'checkpoint.json.tmp');
    writeFileSync(tmp, JSON.stringify(pos));
    renameSync(tmp, path.join(this.options.dir, 'checkpoint.json'));
    for (const s of this.segments()) if (s < pos.segment) rmSync(this.segmentPath(s), { force: true });
  }

  /** After a failed store write: read the uncommitted records again. */
  rewind(): void {
    this.readPos = this.committed;
  }

  /** True for records that were in the journal before this process opened it (a replay after a crash). */
  isReplay(pos: JournalPosition): boolean {
    return comparePos(pos, this.openedAt) <= 0;
  }

  /** Messages appended but not yet committed. */
  get depth(): number {
    return this.pendingCount;
  }

  /** Bytes on disk not yet committed (approximate across segments). */
  get bytes(): number {
    let total = 0;
    for (const s of this.segments()) {
      if (s < this.committed.segment) continue;
      const size = s === this.writeSegment ? this.writeOffset : Journal.sizeOf(this.segmentPath(s));
      total += s === this.committed.segment ? size - this.committed.offset : size;
    }
    return Math.max(0, total);
  }

  private sync(): void {
    if (this.dirty && this.writeFd !== undefined) {
      fdatasyncSync(this.writeFd);
      this.dirty = false;
    }
  }

  /** The periodic sync must never throw out of the timer (that would crash the process). */
  private syncFromTimer(): void {
    try {
      this.sync();
    } catch (err) {
      // `dirty` stays set, so the next tick tries again.
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private rotate(): void {
    if (this.writeFd !== undefined) {
      fdatasyncSync(this.writeFd);
      closeSync(this.writeFd);
    }
    this.writeSegment++;
    this.writeFd = openSync(this.segmentPath(this.writeSegment), 'a+');
    this.writeOffset = 0;
  }

  private readChunk(file: string, offset: number): Buffer {
    if (!existsSync(file)) return Buffer.alloc(0);
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(READ_CHUNK, Math.max(0, size - offset));
      const buf = Buffer.alloc(length);
      const n = length > 0 ? readSync(fd, buf, 0, length, offset) : 0;
      // A single line longer than the chunk: read it whole.
      if (n === length && length === READ_CHUNK && buf.indexOf(10) === -1) {
        const whole = Buffer.alloc(size - offset);
        readSync(fd, whole, 0, whole.length, offset);
        return whole;
      }
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }

  /** A crash mid-append can leave a partial last line; it was never acknowledged, so drop it. */
  private trimTornTail(fd: number): number {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const tail = Buffer.alloc(Math.min(size, READ_CHUNK));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const lastNl = tail.lastIndexOf(10);
    const keep = lastNl === -1 ? size - tail.length : size - tail.length + lastNl + 1;
    if (keep !== size) ftruncateSync(fd, keep);
    return keep;
  }

  /** Newlines (= records, parsable or not) in [from, to). */
  private countBetween(from: JournalPosition, to: JournalPosition): number {
    let n = 0;
    const buf = Buffer.alloc(READ_CHUNK);
    for (let s = from.segment; s <= to.segment; s++) {
      const file = this.segmentPath(s);
      if (!existsSync(file)) continue;
      const fd = openSync(file, 'r');
      try {
        const start = s === from.segment ? from.offset : 0;
        const end = s === to.segment ? to.offset : fstatSync(fd).size;
        for (let at = start; at < end;) {
          const got = readSync(fd, buf, 0, Math.min(buf.length, end - at), at);
          if (got === 0) break;
          for (let i = buf.indexOf(10); i !== -1 && i < got; i = buf.indexOf(10, i + 1)) n++;
          at += got;
        }
      } finally {
        closeSync(fd);
      }
    }
    return n;
  }

  private countFrom(pos: JournalPosition): number {
    let n = 0;
    for (const s of this.segments()) {
      if (s < pos.segment) continue;
      const buf = readFileSync(this.segmentPath(s));
      const from = s === pos.segment ? pos.offset : 0;
      for (let i = buf.indexOf(10, from); i !== -1; i = buf.indexOf(10, i + 1)) n++;
    }
    return n;
  }

  private readCheckpoint(): JournalPosition | undefined {
    const file = path.join(this.options.dir, 'checkpoint.json');
    if (!existsSync(file)) return undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (
        parsed &&
        typeof parsed === 'object' &&
        'segment' in parsed &&
        'offset' in parsed &&
        typeof parsed.segment === 'number' &&
        typeof parsed.offset === 'number'
      ) {
        return { segment: parsed.segment, offset: parsed.offset };
      }
    } catch {
      // A damaged checkpoint means replaying more than needed, which is harmless.
    }
    return undefined;
  }

  private segments(): number[] {
    return readdirSync(this.options.dir)
      .filter((f) => /^\d{12}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 12)))
      .sort((a, b) => a - b);
  }

  private segmentPath(n: number): string {
    return path.join(this.options.dir, segmentName(n));
  }

  private static sizeOf(file: string): number {
    try {
      const fd = openSync(file, 'r');
      try {
        return fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return 0;
    }
  }

  private static parse(line: Buffer): RawMessage | undefined {
    try {
      const v: unknown = JSON.parse(line.toString('utf8'));
      if (
        v &&
        typeof v === 'object' &&
        't' in v &&
        'r' in v &&
        'p' in v &&
        typeof v.t === 'string' &&
        typeof v.r === 'number' &&
        typeof v.p === 'string'
      ) {
        return { topic: v.t, receivedAt: v.r, payload: Buffer.from(v.p, 'base64'), ...('c' in v && typeof v.c === 'string' && { clientId: v.c }) };
      }
    } catch {
      // fall through: an unreadable line is skipped (it cannot have been acknowledged intact)
    }
    return undefined;
  }
}
