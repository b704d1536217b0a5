/**
 * The upload guard of the XLSX import: a small deflated file that unpacks to far more than the
 * budget is refused before a library inflates it, even when its directory declares small sizes.
 */
import JSZip from 'jszip';
import { zipInflationProblem } from '../../../services/ledger/zipInflationGuard';

const MiB = 1_048_576;

async function zipOf(files: Record<string, Buffer | string>, compression: 'DEFLATE' | 'STORE' = 'DEFLATE'): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, body] of Object.entries(files)) zip.file(name, body);
  return zip.generateAsync({ type: 'nodebuffer', compression });
}

describe('zip inflation guard', () => {
  it('accepts a workbook-sized container within the budget', async () => {
    const file = await zipOf({ '[Content_Types].xml': '<Types/>', 'xl/worksheets/sheet1.xml': 'x'.repeat(200_000) });
    expect(zipInflationProblem(file, MiB)).toBeUndefined();
  });

  it('refuses 8 MiB of zeros (a few KiB deflated) against a 1 MiB budget', async () => {
    const file = await zipOf({ 'xl/sharedStrings.xml': Buffer.alloc(8 * MiB) });
    expect(file.length).toBeLessThan(64 * 1024);
    expect(zipInflationProblem(file, MiB)).toBe('the workbook unpacks to more than 1 MiB');
  });

  it('refuses it even when the directory claims the entry inflates to 10 bytes', async () => {
    const file = await zipOf({ 'xl/sharedStrings.xml': Buffer.alloc(8 * MiB) });
    // Central directory entry: signature 0x02014b50, uncompressed size at +24.
    const central = file.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    file.writeUInt32LE(10, central + 24);
    expect(zipInflationProblem(file, MiB)).toBe('the workbook unpacks to more than 1 MiB');
  });

  it('counts stored entries and many small entries together', async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`xl/part${i}.xml`, Buffer.alloc(300 * 1024, 65)]));
    expect(zipInflationProblem(await zipOf(files, 'STORE'), MiB)).toBe('the workbook unpacks to more than 1 MiB');
    expect(zipInflationProblem(await zipOf(files, 'STORE'), 2 * MiB)).toBeUndefined();
  });

  it('leaves what is not a ZIP to the workbook reader', () => {
    expect(zipInflationProblem(Buffer.from('not a workbook at all'), MiB)).toBeUndefined();
  });
});
