/**
 * The report's tables, defined once: the HTML page and the PDF print them, the spreadsheet writes
 * their raw values with number formats. One definition is what keeps "the same figures in every
 * format" true; renderers only format, they never compute (see reportModel.ts).
 */
import type { EnterpriseReport, MonthlyReport } from '../reportModel';
import { BENCHMARK_SECTIONS, BENCHMARK_TABLE_IDS, benchmarkSectionShown, benchmarkTables } from './benchmarkTables';
import { CARBON_SECTIONS, CARBON_TABLE_IDS, carbonSectionShown, carbonTables, parkTable } from './carbonTables';
import type { CellValue, Language, ValueKind } from './labels';
import { basisName, carrierName, nameOf, otherBasis, pick, unitConsumptionKind, unitLabel } from './labels';
import { carrierTables, splitCarriers, tonnes } from './carrierTables';
import { monthsLabel } from './months';
import { table, type Table } from './tableModel';

export { monthsLabel } from './months';

export type { Column, Table } from './tableModel';

export const TABLE_IDS = [
  'district',
  'byIndustry',
  'byCarrier',
  'byCarrierOutside',
  'enterpriseEnergy',
  'dualControl',
  'tariff',
  'carriers',
  'coefficients',
  'ranking',
  'concentration',
  'completeness',
  'parameters',
  'byPark',
  ...CARBON_TABLE_IDS,
  ...BENCHMARK_TABLE_IDS,
] as const;
export type TableId = (typeof TABLE_IDS)[number];
export type ReportTables = Readonly<Record<TableId, Table>>;

/** Order of the sections in the HTML page and the PDF. */
export const SECTION_ORDER: readonly TableId[] = [
  'district',
  'byIndustry',
  'byPark',
  'byCarrier',
  'byCarrierOutside',
  ...CARBON_SECTIONS.district,
  ...BENCHMARK_SECTIONS.district,
  'enterpriseEnergy',
  'dualControl',
  ...CARBON_SECTIONS.enterprises,
  ...BENCHMARK_SECTIONS.enterprises,
  'tariff',
  'carriers',
  'ranking',
  'concentration',
  'completeness',
  'coefficients',
  'parameters',
];

/**
 * Sections a report may leave out: the parameter rows exist only when the builder named them
 * (contract 8.2); the park and carbon sections only in reports that have them (carbonTables.ts).
 */
export function hasSection(report: MonthlyReport, id: TableId): boolean {
  if (id === 'parameters') return report.parameters !== undefined;
  if (id === 'byCarrierOutside') return splitCarriers(report)[1].length > 0;
  if (id === 'byPark') return report.totals.byPark !== undefined && Object.keys(report.totals.byPark).length > 0;
  return carbonSectionShown(report, id) && benchmarkSectionShown(report, id);
}

export function buildTables(report: MonthlyReport, lang: Language): ReportTables {
  const z = (zh: string, en: string): string => pick(lang, zh, en);
  const tce = 'tce';
  // CO2 in t where people read it (issue 21); the JSON and the CSV keep kg (contract 6).
  const co2 = unitLabel('tCO2', lang);
  const pct = '%';
  const enterprises = report.enterprises;
  const basis = basisName(report.electricityBasis, lang);
  const other = basisName(otherBasis(report.electricityBasis), lang);

  return {
    ...carbonTables(report, lang),
    ...benchmarkTables(report, lang),
    byPark: parkTable(report, lang),
    district: table(
      'district',
      z('全区合计', 'District totals'),
      [
        ['enterprises', z('企业数', 'Enterprises'), 'int'],
        ['totalTce', z('能耗总量（双控）', 'Dual-control total'), 'tce', tce],
        ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', co2],
      ],
      [[enterprises.length, report.totals.totalTce, tonnes(report.totals.co2Kg)]],
    ),

    byIndustry: table(
      'byIndustry',
      z('分行业', 'By industry'),
      [
        ['industry', z('行业代码', 'Industry code'), 'text'],
        ['industryName', z('行业', 'Industry'), 'text'],
        ['enterprises', z('企业数', 'Enterprises'), 'int'],
        ['totalTce', z('能耗总量（双控）', 'Dual-control total'), 'tce', tce],
        ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', co2],
      ],
      Object.entries(report.totals.byIndustry).map(([code, i]) => [code, i.name, i.enterprises, i.totalTce, tonnes(i.co2Kg)]),
    ),

    ...carrierTables(report, lang),

    enterpriseEnergy: table(
      'enterpriseEnergy',
      z('企业能耗', 'Enterprises: energy'),
      [
        ['id', z('企业编号', 'ID'), 'text'],
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['industryName', z('行业', 'Industry'), 'text'],
        ['totalTce', z('能耗总量（双控）', 'Dual-control total'), 'tce', tce],
        ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', co2],
        ['previousMonthTce', z('上月', 'Previous month'), 'tce', tce],
        ['changeFromPreviousMonth', z('环比', 'Month on month'), 'percent', pct],
        ['sameMonthLastYearTce', z('去年同月', 'Same month last year'), 'tce', tce],
        ['changeFromSameMonthLastYear', z('同比', 'Year on year'), 'percent', pct],
        ['alarmsCritical', z('严重告警', 'Critical alarms'), 'int'],
        ['alarmsWarning', z('警告告警', 'Warning alarms'), 'int'],
        ['alarmsInfo', z('提示告警', 'Info alarms'), 'int'],
        ['completeness', z('数据完整率', 'Completeness'), 'percent', pct],
      ],
      enterprises.map((e) => [
        e.id,
        e.name,
        e.industryName,
        e.totalTce,
        tonnes(e.co2Kg),
        e.previousMonthTce,
        e.changeFromPreviousMonth,
        e.sameMonthLastYearTce,
        e.changeFromSameMonthLastYear,
        e.alarms.critical,
        e.alarms.warning,
        e.alarms.info,
        e.completeness,
      ]),
    ),

    dualControl: table(
      'dualControl',
      z('能耗双控（月末状态）', 'Dual control (status at month end)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['quotaYear', z('考核年度', 'Quota year'), 'int'],
        ['quotaTotalTce', z('年度总量目标', 'Annual quota'), 'tce', tce],
        ['quotaYtdTce', z('年累计能耗', 'Year to date'), 'tce', tce],
        ['quotaShare', z('目标完成比例', 'Share of quota'), 'percent', pct],
        ['quotaPace', z('进度比', 'Pace'), 'ratio'],
        ['quotaLevel', z('总量预警', 'Quota level'), 'level'],
        ['intensity', z('能耗强度', 'Intensity'), 'intensity', unitLabel('tce/10k-yuan', lang)],
        ['intensityLimit', z('强度目标', 'Intensity limit'), 'intensity', unitLabel('tce/10k-yuan', lang)],
        ['intensityRatio', z('强度比', 'Intensity ratio'), 'ratio'],
        ['intensityLevel', z('强度预警', 'Intensity level'), 'level'],
        ['output10kYuan', z('所用月份产值', 'Output of the months used'), 'yuan', unitLabel('10k-yuan', lang)],
        ['intensityMonths', z('强度计算月份', 'Months used for intensity'), 'text'],
      ],
      enterprises.map((e) => dualControlRow(e)),
    ),

    tariff: withCellKinds(
      table(
        'tariff',
        z('阶梯电价', 'Tiered electricity tariff'),
        [
          ['name', z('企业名称', 'Enterprise'), 'text'],
          ['tariff', z('电价政策', 'Tariff'), 'text'],
          ['scheme', z('方式', 'Scheme'), 'text'],
          ['basis', z('核算期', 'Basis period'), 'text'],
          ['unitConsumption', z('单位产品能耗', 'Unit consumption'), 'unitConsumption'],
          ['unit', z('单位', 'Unit'), 'text'],
          ['markupYuanPerKwh', z('加价标准', 'Markup'), 'yuanPerKwh', unitLabel('yuan/kWh', lang)],
          ['surchargeYuan', z('预估加价电费', 'Estimated surcharge'), 'yuan', unitLabel('yuan', lang)],
          ['note', z('说明', 'Note'), 'text'],
        ],
        enterprises.map((e) => tariffRow(e, lang)),
      ),
      enterprises.map((e) => (e.tariff ? { unitConsumption: unitConsumptionKind(e.tariff.unit) } : {})),
    ),

    carriers: table(
      'carriers',
      z('企业分品种能耗', 'Enterprises by carrier'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['carrier', z('能源品种', 'Carrier'), 'text'],
        ['quantity', z('实物量', 'Quantity'), 'quantity'],
        ['unit', z('计量单位', 'Unit'), 'text'],
        ['tce', z(`折标煤（${basis}）`, `Standard coal (${basis})`), 'tce', tce],
        ['tceOtherBasis', z(`折标煤（${other}）`, `Standard coal (${other})`), 'tce', tce],
        ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', co2],
        ['dualControl', z('计入双控', 'In dual control'), 'bool'],
        ['kgcePerUnit', z('折标系数', 'Coefficient'), 'coefficient', unitLabel('kgce/unit', lang)],
      ],
      enterprises.flatMap((e) =>
        Object.entries(e.carriers).map(([c, f]) => [
          e.name,
          carrierName(c, lang),
          f.quantity,
          f.unit,
          f.tce,
          f.tceOtherBasis,
          tonnes(f.co2Kg),
          f.dualControl,
          f.kgcePerUnit,
        ]),
      ),
    ),

    coefficients: table(
      'coefficients',
      z('折标系数及来源', 'Conversion coefficients and sources'),
      [
        ['carrier', z('能源品种', 'Carrier'), 'text'],
        ['unit', z('计量单位', 'Unit'), 'text'],
        ['kgcePerUnit', z('折标系数', 'Coefficient'), 'coefficient', unitLabel('kgce/unit', lang)],
        ['kgceSource', z('来源', 'Source'), 'text'],
      ],
      coefficientRows(report, lang),
    ),

    ranking: withCellKinds(
      table(
        'ranking',
        z('能效排名（能效领跑者）', 'Efficiency ranking (energy-efficiency leaders)'),
        [
          ['industryName', z('行业', 'Industry'), 'text'],
          ['rank', z('名次', 'Rank'), 'int'],
          ['name', z('企业名称', 'Enterprise'), 'text'],
          ['metric', z('指标', 'Metric'), 'text'],
          ['value', z('数值', 'Value'), 'intensity'],
          ['unit', z('单位', 'Unit'), 'text'],
        ],
        report.ranking.map((r) => [
          r.industryName,
          r.rank,
          r.name,
          r.metric === 'intensity' ? z('能耗强度', 'intensity') : z('单位产品能耗', 'unit consumption'),
          r.value,
          // The model's intensity unit is a bilingual id (`tce/万元 (10^4 yuan)`): shown in the report's language.
          r.metric === 'intensity' ? unitLabel('tce/10k-yuan', lang) : r.unit,
        ]),
      ),
      report.ranking.map((r) => (r.metric === 'intensity' ? {} : { value: unitConsumptionKind(r.unit) })),
    ),

    concentration: table(
      'concentration',
      z('能耗集中度', 'Concentration of consumption'),
      [
        ['top', z('前 N 家', 'Top N'), 'int'],
        ['share', z('占全区能耗比例', 'Share of district total'), 'percent', pct],
        ['enterprises', z('企业', 'Enterprises'), 'text'],
      ],
      report.concentration.map((c) => [c.top, c.share, c.enterprises.map((id) => nameOf(report, id)).join(z('、', ', '))]),
    ),

    completeness: table(
      'completeness',
      z('数据完整率（按计量器具）', 'Data completeness by meter'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['meter', z('计量器具', 'Meter'), 'text'],
        ['carrier', z('能源品种', 'Carrier'), 'text'],
        ['readings', z('有效读数', 'Readings'), 'int'],
        ['expected', z('应有读数', 'Expected'), 'int'],
        ['completeness', z('完整率', 'Completeness'), 'percent', pct],
      ],
      enterprises.flatMap((e) => e.meters.map((m) => [e.name, m.meter, carrierName(m.carrier, lang), m.readings, m.expected, m.completeness])),
    ),

    parameters: table(
      'parameters',
      z('所用参数（系数、因子、阈值）', 'Parameters used (coefficients, factors, thresholds)'),
      [
        ['key', z('参数', 'Parameter'), 'text'],
        ['value', z('数值', 'Value'), 'coefficient'],
        ['unit', z('单位', 'Unit'), 'text'],
        ['year', z('数据年度', 'Year of the row'), 'int'],
        ['source', z('来源', 'Source'), 'text'],
      ],
      (report.parameters ?? []).map((p) => [p.key, p.value, p.unit, p.year ?? null, p.source]),
    ),
  };
}

/** Sets per-cell kinds by column key, one record per row (tableModel.ts cellKinds). */
function withCellKinds(t: Table, kinds: readonly Readonly<Partial<Record<string, ValueKind>>>[]): Table {
  const cellKinds = kinds.map((k) => t.columns.map((c) => k[c.key]));
  return { ...t, cellKinds };
}

function dualControlRow(e: EnterpriseReport): CellValue[] {
  const q = e.quota;
  const i = e.intensity;
  return [
    e.name,
    q?.year ?? null,
    q?.totalTce ?? null,
    q?.ytdTce ?? null,
    q?.share ?? null,
    q?.pace ?? null,
    q?.level ?? null,
    i?.intensity ?? null,
    i?.limit ?? null,
    i?.ratio ?? null,
    i?.level ?? null,
    i?.output10kYuan ?? null,
    monthsLabel(i?.months ?? []),
  ];
}

function tariffRow(e: EnterpriseReport, lang: Language): CellValue[] {
  const tr = e.tariff;
  if (!tr) return [e.name, pick(lang, '不适用', 'none'), null, null, null, null, null, null, null];
  const scheme = tr.scheme === 'step' ? pick(lang, '阶梯', 'step') : pick(lang, '分档', 'bands');
  const basis = tr.basis === 'ytd' ? pick(lang, '年累计', 'year to date') : pick(lang, '当月', 'month');
  // Contract 4: a period with no product output has no unit consumption and no tier; say why.
  const note = tr.note === 'no-output' ? pick(lang, '本期无产品产量，不计算单耗', 'no product output in the period: no unit consumption') : null;
  return [e.name, tr.tariff, scheme, basis, tr.unitConsumption, tr.unit, tr.markupYuanPerKwh, tr.surchargeYuan, note];
}

/** The distinct coefficients the figures were computed with, each with its source (traceability). */
function coefficientRows(report: MonthlyReport, lang: Language): CellValue[][] {
  const seen = new Map<string, CellValue[]>();
  for (const e of report.enterprises) {
    for (const [c, f] of Object.entries(e.carriers)) {
      const key = JSON.stringify([c, f.unit, f.kgcePerUnit, f.kgceSource]);
      if (!seen.has(key)) seen.set(key, [carrierName(c, lang), f.unit, f.kgcePerUnit, f.kgceSource]);
    }
  }
  return [...seen.values()];
}

/**
 * Puts tables whose rows are the same enterprises in the same order side by side (the
 * spreadsheet's one wide enterprise sheet); columns whose key is already present are dropped.
 */
export function joinByRow(title: string, first: Table, ...rest: readonly Table[]): Table {
  const keys = new Set(first.columns.map((c) => c.key));
  const columns = [...first.columns];
  const picks: { table: Table; index: number }[] = [];
  for (const other of rest) {
    if (other.rows.length !== first.rows.length)
      throw new Error(`joinByRow: ${other.id} has ${other.rows.length} rows, ${first.id} has ${first.rows.length}`);
    other.columns.forEach((c, index) => {
      if (keys.has(c.key)) return;
      keys.add(c.key);
      columns.push(c);
      picks.push({ table: other, index });
    });
  }
  const rows = first.rows.map((row, r) => [...row, ...picks.map((p) => p.table.rows[r]![p.index] ?? null)]);
  if (!first.cellKinds && !rest.some((t) => t.cellKinds)) return { id: first.id, title, columns, rows };
  const cellKinds = first.rows.map((_, r) => [
    ...first.columns.map((_c, i) => first.cellKinds?.[r]?.[i]),
    ...picks.map((p) => p.table.cellKinds?.[r]?.[p.index]),
  ]);
  return { id: first.id, title, columns, rows, cellKinds };
}
