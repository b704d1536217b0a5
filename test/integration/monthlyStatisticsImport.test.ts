/**
 * The monthly statistics workbook (contract 8.3): a generated template read back with exceljs,
 * filled and imported; broken files refused whole (422 naming sheet, row and column), storing nothing.
 */
import ExcelJS from 'exceljs';
import type { EventMap } from '../../services/events/eventBus';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NOW = Date.parse('2026-11-15T12:00:00+08:00');
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '测试铝业',
      industry: '3216',
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'gas', carrier: 'natural_gas', unit: 'm3', kind: 'interval', intervalSeconds: 900 },
        { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter' },
      ],
    },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
});

interface Problem {
  sheet: string | null;
  row: number | null;
  column: string | null;
  field: string | null;
  message: string;
}

describe('monthly statistics workbook', () => {
  let svc: RunningApp;
  const changes: EventMap['ledgerChanged'][] = [];

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => NOW });
    svc.app.bus.on('ledgerChanged', (c) => changes.push(c));
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function template(month: string, token: string): Promise<ExcelJS.Workbook> {
    const res = await fetch(`${svc.baseUrl}/api/monthly/template?month=${month}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    return wb;
  }

  async function upload(file: Buffer | ExcelJS.Workbook, token: string = TOKENS.officer): Promise<{ status: number; body: unknown }> {
    const body = Buffer.isBuffer(file) ? file : Buffer.from(await file.xlsx.writeBuffer());
    const res = await fetch(`${svc.baseUrl}/api/monthly/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': XLSX },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** The column number of a key in row 2. */
  function col(ws: ExcelJS.Worksheet, key: string): number {
    let found = 0;
    ws.getRow(2).eachCell((cell, n) => {
      if (cell.value === key) found = n;
    });
    if (found === 0) throw new Error(`no column ${key}`);
    return found;
  }

  const problemsOf = (res: { status: number; body: unknown }): Problem[] => {
    expect(res.status).toBe(422);
    return (res.body as { error: { problems: Problem[] } }).error.problems;
  };

  it('builds a template with zh-CN headers, keys in row 2 and current values prefilled', async () => {
    await svc.put('/api/enterprises/alu01/monthly/2026-10', { outputValue10kYuan: 100, note: '旧' }, TOKENS.officer);
    const ws = (await template('2026-10', TOKENS.auditor)).getWorksheet('月度统计');
    if (!ws) throw new Error('no sheet');
    expect(ws.getCell('A1').value).toBe('企业代码');
    expect(ws.getCell('D1').value).toBe('工业总产值 (万元)');
    expect(ws.getCell('D2').value).toBe('outputValue10kYuan');
    col(ws, 'products.aluminium_liquid.quantity [t]');
    col(ws, 'carriers.raw_coal.purchased [t]');
    expect(ws.getRow(3).getCell(col(ws, 'enterprise')).value).toBe('alu01');
    expect(ws.getRow(3).getCell(col(ws, 'month')).value).toBe('2026-10');
    expect(ws.getRow(3).getCell(col(ws, 'outputValue10kYuan')).value).toBe(100);
    expect(ws.getRow(3).getCell(col(ws, 'note')).value).toBe('旧');
    expect(ws.getRow(4).getCell(1).value).toBe('cem01');
    expect(ws.getRow(5).getCell(1).value).toBeNull();
    // An enterprise token gets its own row only.
    const own = (await template('2026-10', TOKENS.alu01)).getWorksheet('月度统计');
    expect([own?.getRow(3).getCell(1).value, own?.getRow(4).getCell(1).value]).toEqual(['alu01', null]);
  });

  it('imports a filled template: one version per changed enterprise-month, recorded by the token', async () => {
    const wb = await template('2026-10', TOKENS.officer);
    const ws = wb.getWorksheet('月度统计')!;
    const alu = ws.getRow(3);
    alu.getCell(col(ws, 'outputValue10kYuan')).value = 4321.5;
    alu.getCell(col(ws, 'products.aluminium_liquid.quantity [t]')).value = 5302.6;
    alu.getCell(col(ws, 'carriers.raw_coal.purchased [t]')).value = 1200;
    alu.getCell(col(ws, 'carriers.raw_coal.openingStock [t]')).value = 300;
    alu.getCell(col(ws, 'carriers.raw_coal.closingStock [t]')).value = 250;
    alu.getCell(col(ws, 'note')).value = null;
    const before = changes.length;
    const res = await upload(wb);
    expect(res.status).toBe(200);
    // cem01's row is empty and unchanged: no version.
    expect(res.body).toMatchObject({ unchanged: 1, stored: [{ enterprise: 'alu01', month: '2026-10', version: 2, recordedBy: 'officer' }] });
    expect((await svc.get('/api/enterprises/alu01/monthly/2026-10')).body).toEqual({
      enterprise: 'alu01',
      month: '2026-10',
      version: 2,
      recordedBy: 'officer',
      recordedAt: '2026-11-15T12:00:00.000+08:00',
      outputValue10kYuan: 4321.5,
      products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } },
      carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } },
    });
    expect((await svc.get('/api/enterprises/cem01/monthly/2026-10')).body).toMatchObject({ version: 0 });
    expect(changes.slice(before)).toEqual([{ kind: 'monthly-statistics', enterprise: 'alu01', from: Date.parse('2026-10-01T00:00:00+08:00') }]);
    // The same file again changes nothing.
    expect((await upload(wb)).body).toEqual({ stored: [], unchanged: 2 });
    // The template now carries what was imported.
    const again = (await template('2026-10', TOKENS.officer)).getWorksheet('月度统计')!;
    expect(again.getRow(3).getCell(col(again, 'carriers.raw_coal.closingStock [t]')).value).toBe(250);
  });

  describe('refuses a broken file whole, naming the cell, storing nothing', () => {
    let versions: number;
    let events: number;
    beforeEach(async () => {
      versions = ((await svc.get('/api/enterprises/alu01/monthly/2026-10?history=1')).body as unknown[]).length;
      events = changes.length;
    });
    afterEach(async () => {
      expect(((await svc.get('/api/enterprises/alu01/monthly/2026-10?history=1')).body as unknown[]).length).toBe(versions);
      expect((await svc.get('/api/enterprises/cem01/monthly/2026-10')).body).toMatchObject({ version: 0 });
      expect(changes.length).toBe(events);
    });

    async function filled(token = TOKENS.officer): Promise<{ wb: ExcelJS.Workbook; ws: ExcelJS.Worksheet }> {
      const wb = await template('2026-10', token);
      const ws = wb.getWorksheet('月度统计')!;
      // A valid change on cem01's row, so that storing part of the file would show.
      ws.getRow(4).getCell(col(ws, 'outputValue10kYuan')).value = 777;
      return { wb, ws };
    }

    it('text in a number cell', async () => {
      const { wb, ws } = await filled();
      ws.getRow(3).getCell(col(ws, 'valueAdded10kYuan')).value = '980万';
      expect(problemsOf(await upload(wb))).toEqual([
        { sheet: '月度统计', row: 3, column: 'E', field: 'valueAdded10kYuan', message: 'expected a number (not text), got text "980万"' },
      ]);
    });

    it('a negative number, and a negative consumption', async () => {
      const { wb, ws } = await filled();
      ws.getRow(3).getCell(col(ws, 'greenCertificatesKwh')).value = -5;
      // 1200 + 300 - 2000 = -500 t.
      ws.getRow(3).getCell(col(ws, 'carriers.raw_coal.closingStock [t]')).value = 2000;
      const problems = problemsOf(await upload(wb));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ row: 3, field: 'greenCertificatesKwh', message: 'expected a number >= 0, got -5' });
      // Cell problems come first; fixed, the consumption is checked.
      ws.getRow(3).getCell(col(ws, 'greenCertificatesKwh')).value = null;
      const second = problemsOf(await upload(wb));
      expect(second).toEqual([
        {
          sheet: '月度统计',
          row: 3,
          column: ws.getColumn(col(ws, 'carriers.raw_coal.purchased [t]')).letter,
          field: 'carriers.raw_coal.purchased',
          message: 'purchased + openingStock - closingStock = 1200 + 300 - 2000 = -500 is negative',
        },
      ]);
    });

    it('an unknown enterprise, and a metered carrier entered', async () => {
      const { wb, ws } = await filled();
      ws.getRow(5).getCell(col(ws, 'enterprise')).value = 'nope01';
      ws.getRow(5).getCell(col(ws, 'month')).value = '2026-10';
      // A column added by hand for natural gas, which alu01 meters.
      const extra = ws.columnCount + 1;
      ws.getRow(2).getCell(extra).value = 'carriers.natural_gas.purchased [m3]';
      ws.getRow(3).getCell(extra).value = 1000;
      const letter = ws.getColumn(extra).letter;
      const problems = problemsOf(await upload(wb));
      expect(problems).toEqual([
        { sheet: '月度统计', row: 5, column: 'A', field: 'enterprise', message: 'expected the id of a configured enterprise, got text "nope01"' },
      ]);
      ws.getRow(5).getCell(col(ws, 'enterprise')).value = null;
      ws.getRow(5).getCell(col(ws, 'month')).value = null;
      expect(problemsOf(await upload(wb))).toEqual([
        {
          sheet: '月度统计',
          row: 3,
          column: letter,
          field: 'carriers.natural_gas.purchased',
          message: 'alu01 meters natural_gas; a metered carrier cannot also be entered',
        },
      ]);
    });

    it("a row of another enterprise in an enterprise token's file", async () => {
      const { wb } = await filled();
      const problems = problemsOf(await upload(wb, TOKENS.alu01));
      expect(problems).toEqual([
        {
          sheet: '月度统计',
          row: 4,
          column: 'A',
          field: 'enterprise',
          message: 'expected alu01 (this token may import only its own enterprise\'s rows), got text "cem01"',
        },
      ]);
    });

    it('not an xlsx at all', async () => {
      const problems = problemsOf(await upload(Buffer.from('enterprise,month\nalu01,2026-10\n')));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ sheet: null, row: null, column: null });
      expect(problems[0]?.message).toMatch(/^expected an XLSX workbook/);
    });

    it('an auditor may not import', async () => {
      const { wb } = await filled();
      expect((await upload(wb, TOKENS.auditor)).status).toBe(403);
    });
  });
});
