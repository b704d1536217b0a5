/**
 * A maximum MQTT packet size for the embedded broker. aedes (through mqtt-packet) buffers a whole
 * packet before it looks at it, whatever its declared length (up to MQTT's 256 MB), so a gateway
 * could make the service hold a 10 MiB payload in memory and then in the quarantine. This wrapper
 * reads each packet's fixed header as the bytes arrive [MQTT-2.2.3: remaining length, 1-4 bytes
 * of 7 bits] and closes the connection as soon as a packet declares more than the limit, before
 * its body has arrived. Writes pass through to the socket unchanged.
 */
import { Duplex } from 'node:stream';

/** Header byte + at most 4 length bytes [MQTT-2.2.3]. */
const MAX_FIXED_HEADER = 5;

export class PacketTooLargeError extends Error {
  readonly code = 'mqtt-packet-too-large';
  constructor(
    readonly declaredBytes: number,
    readonly maxBytes: number,
  ) {
    super(`MQTT packet of ${declaredBytes} bytes exceeds the limit of ${maxBytes}`);
    this.name = 'PacketTooLargeError';
  }
}

/** Streaming reader of MQTT fixed headers: says when a packet declares more than `maxBytes`. */
export class PacketFramer {
  private skip = 0;
  private headerBytes = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxBytes: number) {}

  /** Returns the error for the first oversized (or malformed) packet in `chunk`, if any. */
  feed(chunk: Buffer): PacketTooLargeError | Error | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.headerBytes === 0) {
        // The packet type byte; the remaining length follows.
        this.headerBytes = 1;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.headerBytes++;
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        if (this.headerBytes >= MAX_FIXED_HEADER) return new Error('malformed MQTT remaining length');
        continue;
      }
      const total = this.headerBytes + this.length;
      if (total > this.maxBytes) return new PacketTooLargeError(total, this.maxBytes);
      this.skip = this.length;
      this.headerBytes = 0;
    }
    return undefined;
  }
}

/**
 * The connection aedes reads from: the socket's bytes, checked packet by packet. On an oversized
 * packet `onRefused` is told and the socket is destroyed (the client sees the connection close;
 * its publish was never acknowledged, so nothing acknowledged is dropped).
 */
export function guardPacketSize(socket: Duplex, maxBytes: number, onRefused: (err: Error) => void): Duplex {
  const framer = new PacketFramer(maxBytes);
  const guarded = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const problem = framer.feed(chunk);
    if (problem) {
      onRefused(problem);
      socket.destroy();
      return;
    }
    if (!guarded.push(chunk)) socket.pause();
  });
  socket.on('end', () => guarded.push(null));
  socket.on('close', () => guarded.destroy());
  // Socket errors (resets) end the connection; aedes learns of it through 'close'.
  socket.on('error', () => guarded.destroy());
  return guarded;
}
