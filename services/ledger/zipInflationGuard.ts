/**
 * Bounds what an uploaded ZIP container (an XLSX workbook) inflates to before a library unpacks it
 * whole: a 2 MB upload of deflate data can claim gigabytes, and the sizes its directory declares
 * may lie. Every entry is inflated here with a hard output limit (zlib's maxOutputLength), so the
 * work and memory stay within `maxBytes` whatever the file says about itself.
 */
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Why a container was refused; undefined when it is within the budget or not a ZIP at all (the reader reports that). */
export function zipInflationProblem(file: Buffer, maxBytes: number): string | undefined {
  const eocd = findEndOfDirectory(file);
  if (eocd === undefined) return undefined;
  const entries = file.readUInt16LE(eocd + 10);
  let p = file.readUInt32LE(eocd + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > file.length || file.readUInt32LE(p) !== CENTRAL) return 'the ZIP directory of the workbook is damaged';
    const method = file.readUInt16LE(p + 10);
    const compressed = file.readUInt32LE(p + 20);
    const declared = file.readUInt32LE(p + 24);
    const name = file.readUInt16LE(p + 28) + file.readUInt16LE(p + 30) + file.readUInt16LE(p + 32);
    const local = file.readUInt32LE(p + 42);
    p += 46 + name;
    if (compressed === 0xffffffff || declared === 0xffffffff) return 'ZIP64 workbooks are not accepted';
    if (local + 30 > file.length || file.readUInt32LE(local) !== LOCAL) return 'the ZIP entries of the workbook are damaged';
    const start = local + 30 + file.readUInt16LE(local + 26) + file.readUInt16LE(local + 28);
    const data = file.subarray(start, start + compressed);
    const budget = maxBytes - total;
    if (method === 0) total += data.length;
    else if (method === 8) {
      try {
        total += inflateRawSync(data, { maxOutputLength: Math.max(1, budget + 1) }).length;
      } catch (err) {
        // By code, not class: a RangeError from another realm (a test VM) is not `instanceof` this one.
        if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
        return 'a ZIP entry of the workbook does not inflate';
      }
    } else return `ZIP compression method ${method} is not accepted`;
    if (total > maxBytes) return tooLarge(maxBytes);
  }
  return undefined;
}

function tooLarge(maxBytes: number): string {
  return `the workbook unpacks to more than ${Math.round(maxBytes / 1_048_576)} MiB`;
}

/** The end-of-central-directory record: in the last 22 + 65,535 bytes (a trailing comment may follow it). */
function findEndOfDirectory(file: Buffer): number | undefined {
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 65_535); i--) if (file.readUInt32LE(i) === EOCD) return i;
  return undefined;
}
