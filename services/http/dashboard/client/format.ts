/** Numbers with thousands separators in the page's language, always with their unit. */
import { lang, t, tOr } from './i18n';
import { industryName, industryNameEn } from '../../../energy/industries';

const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(digits: number): Intl.NumberFormat {
  const key = `${lang()}:${digits}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat(lang(), { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
}

export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? t('none') : numberFormat(digits).format(value);
}

/** "12,345.67 tce"; a missing value is a dash without a unit. */
export function qty(value: number | null | undefined, unit: string, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? t('none') : `${num(value, digits)} ${unit}`;
}

export function pct(ratio: number | null | undefined, digits = 1): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? t('none') : `${num(ratio * 100, digits)} %`;
}

/** A change with its sign: "+12.3 %", "−4.0 %" (a true minus sign, as printed statistics write it). */
export function signedPct(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return t('none');
  return `${sign(ratio)}${num(Math.abs(ratio) * 100, digits)} %`;
}

/** "+230.0 t CO₂", "−12.50 t CO₂"; without a unit when the column header names it. */
export function signedQty(value: number | null | undefined, unit: string, digits = autoDigits(value ?? 0)): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('none');
  return `${sign(value)}${num(Math.abs(value), digits)}${unit ? ` ${unit}` : ''}`;
}

function sign(v: number): string {
  return v > 0 ? '+' : v < 0 ? '−' : '';
}

/** Digits that keep about 4 significant figures for typical energy magnitudes. */
export function autoDigits(value: number): number {
  const a = Math.abs(value);
  return a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 4;
}

/** The server formats times in the site zone with its offset; shown as "2026-03-02 01:00". */
export function time(iso: string | null | undefined): string {
  if (!iso) return t('none');
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** A GB/T 4754 industry by the reader's language: the API's Chinese name, or the English table's. */
export function industryLabel(code: string, zhName?: string): string {
  return lang() === 'en' ? industryNameEn(code) : (zhName ?? industryName(code));
}

export function carrierName(carrier: string): string {
  return tOr(`carrier_${carrier}`, carrier);
}

/** Months as runs: `2026-01 – 2026-11`, gaps listed (the months intensity is taken over, contract 4). */
export function monthRuns(months: readonly string[]): string {
  const runs: string[][] = [];
  for (const m of months) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && next(last) === m) run.push(m);
    else runs.push([m]);
  }
  return runs.map((r) => (r.length === 1 ? r[0]! : `${r[0]!} – ${r[r.length - 1]!}`)).join(', ') || '–';
}

function next(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
