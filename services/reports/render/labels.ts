/**
 * Words and number formats shared by every report renderer, so that the PDF, the HTML page, the
 * spreadsheet and the charts name and format a figure the same way. Users read Chinese: zh-CN is
 * the default, English is available (contract 6 and 7).
 */
import { isDraft, type MonthlyReport } from '../reportModel';
import { plainInstant, plainPeriod } from './plainDates';

export type Language = 'zh-CN' | 'en';
export type Level = 'green' | 'yellow' | 'red';

export interface RenderOptions {
  readonly language: Language;
}

/** How a value is shown: each kind has one display format and one spreadsheet number format. */
export type ValueKind =
  | 'text'
  | 'level'
  | 'bool'
  | 'int'
  | 'quantity'
  | 'tce'
  | 'kg'
  | 'tonnes'
  | 'percent'
  | 'ratio'
  | 'intensity'
  | 'yuan'
  | 'yuanPerKwh'
  | 'unitConsumption'
  | 'kwhPerTonne'
  | 'kgcePerTonne'
  | 'coefficient';

/** Kinds of value that are numbers: right-aligned in every table (HTML, PDF). */
export const NUMERIC_KINDS: ReadonlySet<ValueKind> = new Set<ValueKind>([
  'int',
  'quantity',
  'tce',
  'kg',
  'tonnes',
  'percent',
  'ratio',
  'intensity',
  'yuan',
  'yuanPerKwh',
  'unitConsumption',
  'kwhPerTonne',
  'kgcePerTonne',
  'coefficient',
]);

export type CellValue = string | number | boolean | null;

/** The Chinese or the English text. */
export const pick = (lang: Language, zh: string, en: string): string => (lang === 'zh-CN' ? zh : en);

/** Carrier keys of config/schema.ts CARRIERS; `feedstock_*` is open-ended (domain 2.5). */
const CARRIER_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  electricity: ['电力', 'Electricity'],
  renewable_electricity: ['可再生能源电力', 'Renewable electricity'],
  natural_gas: ['天然气', 'Natural gas'],
  raw_coal: ['原煤', 'Raw coal'],
  coke: ['焦炭', 'Coke'],
  diesel: ['柴油', 'Diesel'],
  gasoline: ['汽油', 'Gasoline'],
  fuel_oil: ['燃料油', 'Fuel oil'],
  lpg: ['液化石油气', 'LPG'],
  steam: ['蒸汽', 'Steam'],
  heat: ['热力', 'Heat'],
  water: ['水', 'Water'],
  compressed_air: ['压缩空气', 'Compressed air'],
  product: ['产品产量', 'Product output'],
};

export function carrierName(carrier: string, lang: Language): string {
  // A carrier metered in two units is keyed `carrier:unit` in the district totals (monthlyReportBuilder).
  const colon = carrier.indexOf(':');
  if (colon > 0) return `${carrierName(carrier.slice(0, colon), lang)} (${carrier.slice(colon + 1)})`;
  const known = CARRIER_NAMES[carrier];
  if (known) return pick(lang, known[0], known[1]);
  if (carrier.startsWith('feedstock_')) {
    const what = carrier.slice('feedstock_'.length);
    return pick(lang, `原料用能（${what}）`, `Feedstock (${what})`);
  }
  return carrier;
}

export function levelName(level: Level, lang: Language): string {
  const names: Record<Level, readonly [string, string]> = { green: ['绿色', 'green'], yellow: ['黄色预警', 'yellow'], red: ['红色预警', 'red'] };
  const [zh, en] = names[level];
  return pick(lang, zh, en);
}

/** 当量值 / 等价值 (contract 4; domain 1.2). */
export function basisName(basis: MonthlyReport['electricityBasis'], lang: Language): string {
  return basis === 'equivalent' ? pick(lang, '当量值', 'equivalent value') : pick(lang, '等价值', 'equal value');
}

export function otherBasis(basis: MonthlyReport['electricityBasis']): MonthlyReport['electricityBasis'] {
  return basis === 'equivalent' ? 'equal' : 'equivalent';
}

/** Unit words used in headers. The 10^4 yuan unit is 万元 in Chinese statistics. */
export function unitLabel(
  unit:
    | 'tce'
    | 'kgCO2'
    | 'tCO2'
    | 'tCO2/a'
    | 'tce/a'
    | 'tCO2/tce'
    | 'tCO2/10k-yuan'
    | 'kgCO2/kWh'
    | 'kWh'
    | 'days'
    | '%'
    | 'yuan'
    | 'yuan/kWh'
    | 'tce/10k-yuan'
    | '10k-yuan'
    | 'kgce/unit',
  lang: Language,
): string {
  switch (unit) {
    case 'tCO2':
      return 't CO2';
    case 'tCO2/a':
      return pick(lang, 't CO2/年', 't CO2/a');
    case 'tce/a':
      return pick(lang, 'tce/年', 'tce/a');
    case 'tCO2/tce':
      return 't CO2/tce';
    case 'tCO2/10k-yuan':
      return pick(lang, 't CO2/万元', 't CO2/10^4 yuan');
    case 'days':
      return pick(lang, '天', 'days');
    case 'yuan':
      return pick(lang, '元', 'yuan');
    case 'yuan/kWh':
      return pick(lang, '元/kWh', 'yuan/kWh');
    case 'tce/10k-yuan':
      return pick(lang, 'tce/万元', 'tce/10^4 yuan');
    case '10k-yuan':
      return pick(lang, '万元', '10^4 yuan');
    case 'kgce/unit':
      return pick(lang, 'kgce/计量单位', 'kgce/unit');
    default:
      return unit;
  }
}

/** A header with its unit, e.g. `折标煤 (tce)`; the same text in HTML, PDF and XLSX. */
export function withUnit(header: string, unit: string | undefined): string {
  return unit ? `${header} (${unit})` : header;
}

// Display precision per kind: tce to the kilogram, money to the fen, shares to 0.1 %. Grouping
// with "," is read the same in Chinese and English documents; Intl is fixed to en-US so that
// the output does not depend on the server's locale.
const DIGITS: Readonly<Record<Exclude<ValueKind, 'text' | 'level' | 'bool' | 'coefficient' | 'percent' | 'int'>, number>> = {
  quantity: 2,
  tce: 3,
  kg: 0,
  // t CO2 to the kilogram, as tce.
  tonnes: 3,
  ratio: 2,
  intensity: 4,
  yuan: 2,
  yuanPerKwh: 4,
  unitConsumption: 2,
  // Unit consumption as the national limit standards state it: kWh/t whole, kgce/t to one decimal.
  kwhPerTonne: 0,
  kgcePerTonne: 1,
};
const formatters = new Map<number, Intl.NumberFormat>();
function fixed(value: number, digits: number): string {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: true });
    formatters.set(digits, f);
  }
  return f.format(value);
}

/** Placeholder for a missing figure (null in the model: no output, no previous month, ...). */
export const MISSING = '—';

export function formatValue(kind: ValueKind, value: CellValue, lang: Language): string {
  if (value === null) return MISSING;
  if (typeof value === 'boolean') return value ? pick(lang, '是', 'yes') : pick(lang, '否', 'no');
  if (typeof value === 'string') return kind === 'level' && isLevel(value) ? levelName(value, lang) : value;
  switch (kind) {
    case 'percent':
      return `${fixed(value * 100, 1)}%`;
    // Counts, ranks and years: no grouping, so a year reads 2024 and not 2,024.
    case 'int':
      return String(value);
    // Conversion coefficients are table values (e.g. 0.1229, 714.3): shown exactly as configured.
    case 'coefficient':
      return String(value);
    case 'text':
    case 'level':
    case 'bool':
      return String(value);
    default:
      return fixed(value, DIGITS[kind]);
  }
}

export function isLevel(value: unknown): value is Level {
  return value === 'green' || value === 'yellow' || value === 'red';
}

/** Spreadsheet number format per kind; percent values are stored as fractions, as in the JSON. */
export const NUMBER_FORMATS: Readonly<Record<ValueKind, string | undefined>> = {
  text: undefined,
  level: undefined,
  bool: undefined,
  coefficient: 'General',
  int: '0',
  quantity: '#,##0.00',
  tce: '#,##0.000',
  kg: '#,##0',
  tonnes: '#,##0.000',
  percent: '0.0%',
  ratio: '0.00',
  intensity: '0.0000',
  yuan: '#,##0.00',
  yuanPerKwh: '0.0000',
  unitConsumption: '#,##0.00',
  kwhPerTonne: '#,##0',
  kgcePerTonne: '#,##0.0',
};

/** The display kind of a unit consumption by its unit (ranking and tariff rows mix kWh/t and kgce/t). */
export function unitConsumptionKind(unit: string): ValueKind {
  if (unit === 'kWh/t') return 'kwhPerTonne';
  if (unit === 'kgce/t') return 'kgcePerTonne';
  return 'unitConsumption';
}

/** Enterprise id -> name, for lists that carry ids (concentration). Unknown ids stay as they are. */
export function nameOf(report: MonthlyReport, id: string): string {
  return report.enterprises.find((e) => e.id === id)?.name ?? id;
}

export function reportTitle(report: MonthlyReport, lang: Language): string {
  const scope = report.scope === 'district' ? pick(lang, '全区', 'District') : nameOf(report, report.scope);
  return pick(lang, `${scope}重点用能单位能耗月报 ${report.month}`, `${scope} monthly energy report ${report.month}`);
}

/**
 * The metadata block every format shows (issue: period, time zone and the coefficient basis are
 * shown). The electricity coefficient is read from the report's own carrier figures, so the text
 * names the factor the figures were computed with.
 */
export function metadataRows(report: MonthlyReport, lang: Language): readonly (readonly [string, string])[] {
  const electricity = report.enterprises.map((e) => e.carriers['electricity']).find((c) => c !== undefined);
  const basis = basisName(report.electricityBasis, lang);
  const factor = electricity
    ? // The source is data (config text): shown as it is, labelled in the report's language.
      ` ${electricity.kgcePerUnit} kgce/kWh${pick(lang, `（来源：${electricity.kgceSource}）`, ` (source: ${electricity.kgceSource})`)}`
    : '';
  const other = basisName(otherBasis(report.electricityBasis), lang);
  const basisText = pick(lang, `电力按${basis}折标${factor}；另列${other}`, `electricity at the ${basis}${factor}; the ${other} is listed beside it`);
  const rows: [string, string][] = [
    [pick(lang, '报告月份', 'Month'), report.month],
    [pick(lang, '统计期', 'Period'), plainPeriod(report.periodFrom, report.periodTo, lang)],
    [pick(lang, '时区', 'Time zone'), report.timezone],
    [pick(lang, '范围', 'Scope'), report.scope === 'district' ? pick(lang, '全区', 'district') : `${nameOf(report, report.scope)} (${report.scope})`],
    [pick(lang, '生成时间', 'Generated at'), plainInstant(report.generatedAt, lang)],
    [pick(lang, '版本', 'Revision'), String(report.revision)],
    ['SHA-256', report.sha256],
    [pick(lang, '电力折标口径', 'Electricity basis'), basisText],
  ];
  rows.splice(0, 0, [pick(lang, '状态', 'Status'), draftMark(report, lang) ?? pick(lang, '定稿', 'final')]);
  if (report.reasons && report.reasons.length > 0)
    rows.push([pick(lang, '修订原因', 'Revised for'), report.reasons.map((r) => reasonName(r, lang)).join(pick(lang, '；', '; '))]);
  if (report.revisionNote) rows.push([pick(lang, '修订说明', 'Revision note'), report.revisionNote]);
  return rows;
}

/** The words every page and sheet of a draft carries, the same in both languages. */
export const DRAFT_WORDS = '草稿 / DRAFT';

/**
 * For a month not finalised (contract 8.4): `草稿 / DRAFT` and the instant its data runs to;
 * undefined for a finalised revision.
 */
export function draftMark(report: MonthlyReport, lang: Language): string | undefined {
  if (!isDraft(report)) return undefined;
  const until = report.dataUntil
    ? pick(lang, `数据截至 ${plainInstant(report.dataUntil, lang)}`, `data until ${plainInstant(report.dataUntil, lang)}`)
    : pick(lang, '本月尚无读数', 'no reading in the month yet');
  return `${DRAFT_WORDS} · ${pick(lang, '未定稿，数字仍可能变化', 'not finalised, figures may change')} · ${until}`;
}

const REASON_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  readings: ['读数补录或更正', 'late or corrected readings'],
  'meter-event': ['计量器具事件（换表、倍率变更、拆除）', 'meter event (replacement, multiplier, decommission)'],
  'monthly-statistics': ['月度统计数据', 'monthly statistics'],
  parameters: ['参数（系数、排放因子、阈值）', 'parameters (coefficients, emission factors, thresholds)'],
  recheck: ['复核发现（无记录的变更）', 'found at a recheck (no recorded change)'],
};

/**
 * Why a revision was made, in words (reportModel.ts RevisionReason): the words only, a reader has no
 * use for the id (the CSV and JSON keep it); an unknown kind as it is.
 */
export function reasonName(reason: string, lang: Language): string {
  const known = REASON_NAMES[reason];
  return known ? pick(lang, known[0], known[1]) : reason;
}
