/**
 * The columns of the monthly statistics workbook (contract 8.3): one per field, a zh-CN header for
 * people and a key (with the unit in brackets) that the import maps by, so columns may be moved,
 * hidden or deleted without the import misreading them.
 */
import { conversionFactor, convert } from '../../config/units';
import type { MonthlyFields } from '../energy/monthlyStatistics';

/** Non-metered carriers a district commonly enters from its 205-1 forms; each in tonnes. */
export const COMMON_ENTERED_CARRIERS: readonly string[] = ['raw_coal', 'coke', 'diesel', 'gasoline', 'fuel_oil', 'lpg'];

const CARRIER_NAMES: Readonly<Record<string, string>> = {
  raw_coal: '原煤',
  coke: '焦炭',
  diesel: '柴油',
  gasoline: '汽油',
  fuel_oil: '燃料油',
  lpg: '液化石油气',
  natural_gas: '天然气',
  heat: '热力',
  steam: '蒸汽',
  water: '水',
  electricity: '电力',
  compressed_air: '压缩空气',
};

export const CARRIER_PARTS = ['purchased', 'openingStock', 'closingStock'] as const;
export type CarrierPart = (typeof CARRIER_PARTS)[number];
const PART_NAMES: Readonly<Record<CarrierPart, string>> = { purchased: '购进量', openingStock: '期初库存', closingStock: '期末库存' };

export type ScalarField = 'outputValue10kYuan' | 'valueAdded10kYuan' | 'greenCertificatesKwh' | 'processCo2T';

export type Column =
  | { readonly kind: 'enterprise' | 'name' | 'month' | 'note'; readonly key: string; readonly header: string }
  | { readonly kind: 'scalar'; readonly key: ScalarField; readonly header: string }
  | { readonly kind: 'product'; readonly key: string; readonly product: string; readonly unit: string; readonly header: string }
  | {
      readonly kind: 'carrier';
      readonly key: string;
      readonly carrier: string;
      readonly part: CarrierPart;
      readonly unit: string;
      readonly header: string;
    };

const SCALARS: readonly { key: ScalarField; header: string }[] = [
  { key: 'outputValue10kYuan', header: '工业总产值 (万元)' },
  { key: 'valueAdded10kYuan', header: '工业增加值 (万元)' },
];
const TAIL_SCALARS: readonly { key: ScalarField; header: string }[] = [
  { key: 'greenCertificatesKwh', header: '绿证电量 (kWh)' },
  { key: 'processCo2T', header: '工业过程CO2排放 (t)' },
];

/** The key as written in the key row: field path, then the unit in brackets where there is one. */
export function keyText(c: Column): string {
  return c.kind === 'product' || c.kind === 'carrier' ? `${c.key} [${c.unit}]` : c.key;
}

/** The columns for these products and carriers (each with the unit it is entered in), in template order. */
export function templateColumns(products: ReadonlyMap<string, string>, carriers: ReadonlyMap<string, string>): Column[] {
  const sorted = <V>(m: ReadonlyMap<string, V>) => [...m].sort(([a], [b]) => a.localeCompare(b));
  return [
    { kind: 'enterprise', key: 'enterprise', header: '企业代码' },
    { kind: 'name', key: 'name', header: '企业名称 (不导入)' },
    { kind: 'month', key: 'month', header: '月份 (YYYY-MM)' },
    ...SCALARS.map((s) => ({ kind: 'scalar' as const, ...s })),
    ...sorted(products).map(([product, unit]) => ({
      kind: 'product' as const,
      key: `products.${product}.quantity`,
      product,
      unit,
      header: `产品产量 ${product} (${unit})`,
    })),
    ...sorted(carriers).flatMap(([carrier, unit]) =>
      CARRIER_PARTS.map((part) => ({
        kind: 'carrier' as const,
        key: `carriers.${carrier}.${part}`,
        carrier,
        part,
        unit,
        header: `${CARRIER_NAMES[carrier] ?? carrier} ${PART_NAMES[part]} (${unit})`,
      })),
    ),
    ...TAIL_SCALARS.map((s) => ({ kind: 'scalar' as const, ...s })),
    { kind: 'note', key: 'note', header: '备注' },
  ];
}

/** Reads a key-row cell back into a column; undefined for a key this workbook does not know. */
export function columnOfKey(text: string): Column | undefined {
  const m = /^\s*([A-Za-z0-9_.]+)\s*(?:\[\s*([^\]]+?)\s*\])?\s*$/.exec(text);
  if (!m?.[1]) return undefined;
  const [key, unit] = [m[1], m[2]];
  const plain = templateColumns(new Map(), new Map()).find((c) => c.key === key);
  if (plain) return unit === undefined ? plain : undefined;
  if (unit === undefined) return undefined;
  const product = /^products\.([a-z][a-z0-9_]*)\.quantity$/.exec(key);
  if (product?.[1]) return templateColumns(new Map([[product[1], unit]]), new Map()).find((c) => c.key === key);
  const carrier = /^carriers\.([a-z][a-z0-9_]*)\.(purchased|openingStock|closingStock)$/.exec(key);
  if (carrier?.[1]) return templateColumns(new Map(), new Map([[carrier[1], unit]])).find((c) => c.key === key);
  return undefined;
}

/** The value a column shows for stored fields (prefilling the template); undefined for an empty cell. */
export function cellValue(c: Column, fields: MonthlyFields): number | string | undefined {
  switch (c.kind) {
    case 'scalar':
      return fields[c.key];
    case 'note':
      return fields.note;
    case 'product': {
      const p = fields.products?.[c.product];
      return p && inUnit(p.quantity, p.unit, c.unit);
    }
    case 'carrier': {
      const e = fields.carriers?.[c.carrier];
      return e && inUnit(e[c.part], e.unit, c.unit);
    }
    default:
      return undefined;
  }
}

/** A stored value shown in the column's unit; undefined when the units do not convert. */
function inUnit(value: number, from: string, to: string): number | undefined {
  const factor = conversionFactor(from, to);
  return factor === undefined ? undefined : convert(value, factor);
}
