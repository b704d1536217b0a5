import { PacketFramer, PacketTooLargeError } from '../../../ingest/packetSizeGuard';

/** An MQTT packet: type byte, remaining length (1-4 bytes of 7 bits), body. */
function packet(bodyBytes: number): Buffer {
  const len: number[] = [];
  let x = bodyBytes;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  return Buffer.concat([Buffer.from([0x32, ...len]), Buffer.alloc(bodyBytes, 7)]);
}

describe('PacketFramer', () => {
  it('passes packets up to the limit, header included, fed byte by byte or at once', () => {
    // 1000-byte body: header 1 + 2 length bytes = 1003 bytes in all.
    const stream = Buffer.concat([packet(1000), packet(0), packet(127), packet(128)]);
    expect(new PacketFramer(1003).feed(stream)).toBeUndefined();
    const framer = new PacketFramer(1003);
    for (const byte of stream) expect(framer.feed(Buffer.from([byte]))).toBeUndefined();
  });

  it('refuses a packet one byte over the limit from its header alone', () => {
    const header = packet(1001).subarray(0, 3); // type + 2 length bytes; no body yet
    const problem = new PacketFramer(1003).feed(Buffer.concat([packet(5), header]));
    expect(problem).toBeInstanceOf(PacketTooLargeError);
    expect((problem as PacketTooLargeError).declaredBytes).toBe(1004);
  });

  it('reads a 4-byte length: 10 MiB declared', () => {
    const header = packet(10 * 2 ** 20).subarray(0, 5);
    expect((new PacketFramer(2 ** 20).feed(header) as PacketTooLargeError).declaredBytes).toBe(10 * 2 ** 20 + 5);
  });

  it('refuses a malformed length of 5 bytes', () => {
    expect(new PacketFramer(2 ** 30).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))?.message).toMatch(/malformed/);
  });
});
