/**
 * A minimal MQTT 3.1.1 client over a plain socket, for the load generator and the broker-alone
 * subscriber. It does only what the benchmark needs (CONNECT, QoS 1 PUBLISH with a window of
 * unacknowledged messages, SUBSCRIBE, PUBACK) with pre-built packets, so that the generator costs
 * a fraction of what mqtt.js would and is not the bottleneck on a 2-core machine.
 */
import net from 'node:net';

const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBACK = 9;
const PINGRESP = 13;

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function utf8Field(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

export interface RawConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly clean?: boolean;
  /** Seconds; a PINGREQ goes out at half of it. */
  readonly keepalive?: number;
}

export interface RawMessageHandler {
  (topic: string, payload: Buffer): void;
}

export class RawMqttClient {
  private buffer: Buffer = Buffer.alloc(0);
  private nextId = 1;
  /** Packet ids sent and not yet acknowledged. */
  private readonly inflight = new Set<number>();
  private readonly pinger: NodeJS.Timeout;
  private onConnack: ((code: number) => void) | undefined;
  private onSuback: (() => void) | undefined;
  /** Called after each PUBACK batch (one per socket read), with how many arrived. */
  onAcks: ((count: number, ids: readonly number[]) => void) | undefined;
  onMessage: RawMessageHandler | undefined;
  closed = false;

  private constructor(
    private readonly socket: net.Socket,
    keepalive: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('close', () => {
      this.closed = true;
      clearInterval(this.pinger);
    });
    socket.on('error', () => undefined);
    this.pinger = setInterval(
      () => {
        if (!this.closed) socket.write(Buffer.from([0xc0, 0x00]));
      },
      Math.max(1, keepalive / 2) * 1000,
    );
    this.pinger.unref();
  }

  static connect(options: RawConnectOptions): Promise<RawMqttClient> {
    const keepalive = options.keepalive ?? 60;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.host, port: options.port });
      socket.once('error', reject);
      socket.once('connect', () => {
        const client = new RawMqttClient(socket, keepalive);
        let flags = options.clean === false ? 0 : 0x02;
        const payload = [utf8Field(options.clientId)];
        if (options.username !== undefined) {
          flags |= 0x80;
          payload.push(utf8Field(options.username));
        }
        if (options.password !== undefined) {
          flags |= 0x40;
          payload.push(utf8Field(options.password));
        }
        const ka = Buffer.alloc(2);
        ka.writeUInt16BE(keepalive);
        const body = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, flags]), ka, ...payload]);
        client.onConnack = (code) => {
          socket.removeListener('error', reject);
          if (code === 0) resolve(client);
          else {
            socket.destroy();
            reject(new Error(`CONNACK refused with code ${code} for ${options.clientId}`));
          }
        };
        socket.write(packet(0x10, body));
      });
    });
  }

  get pending(): number {
    return this.inflight.size;
  }

  /** Writes one QoS 1 PUBLISH (topic pre-encoded by encodeTopic); returns its packet id. */
  publish(topic: Buffer, payload: Buffer): number {
    let id = this.nextId;
    while (this.inflight.has(id)) id = id === 65535 ? 1 : id + 1;
    this.nextId = id === 65535 ? 1 : id + 1;
    this.inflight.add(id);
    const rl = remainingLength(topic.length + 2 + payload.length);
    const head = Buffer.allocUnsafe(1 + rl.length);
    head[0] = 0x32; // PUBLISH, QoS 1
    rl.copy(head, 1);
    const pid = Buffer.from([id >> 8, id & 0xff]);
    this.socket.write(Buffer.concat([head, topic, pid, payload]));
    return id;
  }

  subscribe(topic: string, qos: 0 | 1): Promise<void> {
    return new Promise((resolve) => {
      this.onSuback = resolve;
      const body = Buffer.concat([Buffer.from([0, 1]), utf8Field(topic), Buffer.from([qos])]);
      this.socket.write(packet(0x82, body));
    });
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      clearInterval(this.pinger);
      if (this.closed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end(Buffer.from([0xe0, 0x00]));
    });
  }

  destroy(): void {
    clearInterval(this.pinger);
    this.socket.destroy();
  }

  private data(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let at = 0;
    const acked: number[] = [];
    const acks: Buffer[] = [];
    const buf = this.buffer;
    for (;;) {
      if (buf.length - at < 2) break;
      let mult = 1;
      let len = 0;
      let i = at + 1;
      let complete = false;
      for (; i < buf.length && i < at + 5; i++) {
        const b = buf[i]!;
        len += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete || buf.length - i < len) break;
      const type = buf[at]! >> 4;
      const body = buf.subarray(i, i + len);
      if (type === PUBACK) {
        const id = body.readUInt16BE(0);
        if (this.inflight.delete(id)) acked.push(id);
      } else if (type === PUBLISH) {
        const qos = (buf[at]! >> 1) & 3;
        const tlen = body.readUInt16BE(0);
        const topic = body.toString('utf8', 2, 2 + tlen);
        let p = 2 + tlen;
        if (qos > 0) {
          const id = body.readUInt16BE(p);
          p += 2;
          acks.push(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
        }
        this.onMessage?.(topic, body.subarray(p));
      } else if (type === CONNACK) {
        this.onConnack?.(body[1] ?? 255);
      } else if (type === SUBACK) {
        this.onSuback?.();
      } else if (type !== PINGRESP) {
        // nothing else is expected from a broker for these clients
      }
      at = i + len;
    }
    this.buffer = at >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    if (acks.length > 0) this.socket.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
    if (acked.length > 0) this.onAcks?.(acked.length, acked);
  }
}

/** A topic as it goes on the wire (2-byte length + UTF-8), built once per topic. */
export function encodeTopic(topic: string): Buffer {
  return utf8Field(topic);
}
