/**
 * The monthly statistics template (contract 8.3): one row per enterprise, one column per field,
 * zh-CN headers in row 1, the keys the import reads in row 2, current values prefilled from row 3.
 */
import ExcelJS from 'exceljs';
import type { EnterpriseConfig } from '../../config/schema';
import type { MonthlyRecord } from '../energy/monthlyStatistics';
import { cellValue, COMMON_ENTERED_CARRIERS, keyText, templateColumns, type Column } from './monthlyColumns';

export const SHEET_NAME = '月度统计';
export const HEADER_ROW = 1;
export const KEY_ROW = 2;
export const FIRST_DATA_ROW = 3;
const ENTERED_CARRIER_UNIT = 't';
const METERED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };

/** Products and carriers the template offers, each with the unit it is entered in. */
export function templateFields(
  enterprises: readonly EnterpriseConfig[],
  records: readonly MonthlyRecord[],
): { products: Map<string, string>; carriers: Map<string, string> } {
  const products = new Map<string, string>();
  const carriers = new Map<string, string>();
  // Units already recorded win, so prefilled values need no conversion; then the meters' units.
  for (const r of records) {
    for (const [p, v] of Object.entries(r.products ?? {})) if (!products.has(p)) products.set(p, v.unit);
    for (const [c, v] of Object.entries(r.carriers ?? {})) if (!carriers.has(c)) carriers.set(c, v.unit);
  }
  for (const e of enterprises)
    for (const m of e.meters) if (m.carrier === 'product' && m.product !== undefined && !products.has(m.product)) products.set(m.product, m.unit);
  for (const c of COMMON_ENTERED_CARRIERS) if (!carriers.has(c)) carriers.set(c, ENTERED_CARRIER_UNIT);
  return { products, carriers };
}

/** The XLSX for `month`: one row per enterprise (in the order given), current values prefilled. */
export async function buildTemplate(month: string, enterprises: readonly EnterpriseConfig[], records: readonly MonthlyRecord[]): Promise<Buffer> {
  const { products, carriers } = templateFields(enterprises, records);
  const columns = templateColumns(products, carriers);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'energy-monitor';
  const ws = wb.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', xSplit: 2, ySplit: KEY_ROW }] });
  ws.getRow(HEADER_ROW).values = columns.map((c) => c.header);
  ws.getRow(HEADER_ROW).font = { bold: true };
  ws.getRow(KEY_ROW).values = columns.map(keyText);
  ws.getRow(KEY_ROW).font = { color: { argb: 'FF808080' }, size: 8 };
  columns.forEach((c, i) => (ws.getColumn(i + 1).width = Math.max(12, c.header.length * 2)));
  const byEnterprise = new Map(records.filter((r) => r.month === month).map((r) => [r.enterprise, r]));
  enterprises.forEach((e, i) => {
    const row = ws.getRow(FIRST_DATA_ROW + i);
    const record = byEnterprise.get(e.id);
    const metered = new Set(e.meters.filter((m) => m.carrier !== 'product').map((m) => m.carrier));
    columns.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      const value = fixedValue(c, e, month) ?? (record && cellValue(c, record));
      if (value !== undefined) cell.value = value;
      // Grey: the enterprise meters this carrier, so it cannot be entered (contract 8.3).
      if (c.kind === 'carrier' && metered.has(c.carrier)) cell.fill = METERED_FILL;
    });
  });
  addNotes(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function fixedValue(c: Column, e: EnterpriseConfig, month: string): string | undefined {
  if (c.kind === 'enterprise') return e.id;
  if (c.kind === 'name') return e.name;
  if (c.kind === 'month') return month;
  return undefined;
}

function addNotes(wb: ExcelJS.Workbook): void {
  const ws = wb.addWorksheet('说明');
  ws.getColumn(1).width = 100;
  [
    '月度统计导入说明 (contract 8.3)',
    '第1行为中文表头，第2行为字段键，导入按第2行的键识别各列；请勿修改第2行。列可调整顺序或删除，删除的列不导入。',
    '每行为一个企业一个月份；单元格为空表示清除该项；整行无变化的不产生新版本。',
    '数值须为数字 (不得为文本格式)，且不得为负数。能源的消费量 = 购进量 + 期初库存 - 期末库存，不得为负。',
    '灰色单元格为该企业已计量的能源品种，不能手工填报。',
    '任何一个单元格有误，整个文件不导入，并列出工作表、行、列和要求。',
  ].forEach((text, i) => (ws.getCell(i + 1, 1).value = text));
}
