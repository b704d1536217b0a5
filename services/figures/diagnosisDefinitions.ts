/**
 * The definition of every diagnosis figure (contract 11), in zh-CN and English, as the answer
 * carries it. Texts only; the arithmetic is services/energy/diagnosis.ts and docs/diagnosis.md says
 * the same at more length.
 */
export interface Definition {
  readonly 'zh-CN': string;
  readonly en: string;
}

export interface DefinitionInputs {
  /** Whether the view is one meter (its own unit) or the enterprise (electricity). */
  readonly meterView: boolean;
  readonly percentile: number;
  readonly thresholdMads: number;
  readonly weeks: number;
  readonly minHistoryDays: number;
  readonly basis: 'equivalent' | 'equal';
}

const scopeZh = (i: DefinitionInputs) => (i.meterView ? '该计量点' : '企业电力（电网电力加自发可再生电力，不含子表）');
const scopeEn = (i: DefinitionInputs) =>
  i.meterView ? 'this meter' : "the enterprise's electricity (grid plus on-site renewable electricity, sub-meters excluded)";

export function baseLoadDefinition(i: DefinitionInputs): Definition {
  return {
    'zh-CN':
      `基础负荷 = 当月${scopeZh(i)}逐小时平均功率的第 ${i.percentile} 百分位数；某小时的平均功率 = 该小时用量 / 1 h（电力为 kWh→kW，其他能源为计量单位/h）。` +
      `百分位数按相邻秩次线性插值：升序 x₀…xₙ₋₁，h = (n−1)×p/100，取 x⌊h⌋ + (h−⌊h⌋)×(x⌊h⌋₊₁ − x⌊h⌋)（Excel PERCENTILE.INC）。只计有数据的小时。` +
      `平均负荷 = 这些小时平均功率的算术平均；比值 = 基础负荷 / 平均负荷，比值高说明停产或夜间仍有大量用能。`,
    en:
      `Base load = the ${i.percentile}th percentile of the hourly mean power of ${scopeEn(i)} over the month; an hour's mean power = its consumption / 1 h (kWh -> kW for electricity, the meter's unit per hour otherwise). ` +
      `Percentile by linear interpolation between closest ranks: sorted x0..x(n-1), h = (n-1) x p / 100, value = x[floor h] + (h - floor h) x (x[floor h + 1] - x[floor h]) (Excel PERCENTILE.INC). Only hours with data count. ` +
      `Mean load = the mean of the same hourly powers; ratio = base / mean: a high ratio means much of the load runs when production does not.`,
  };
}

export function offHoursDefinition(i: DefinitionInputs, continuous: boolean): Definition {
  return {
    'zh-CN':
      `非工作时间用能占比 = 工作时间表以外各小时的用量之和 / 当月${scopeZh(i)}总用量；小时按现场时区的本地时间（星期和钟点）判断，时间表未列出的星期几全天为非工作时间。` +
      (continuous ? '该企业为连续生产（每小时都是工作时间），占比为 0。' : ''),
    en:
      `Off-hours share = the consumption of ${scopeEn(i)} in hours outside the weekly working schedule / its total over the month; an hour is placed by its local weekday and clock hour in the site zone, and a weekday the schedule does not list is off all day.` +
      (continuous ? ' The schedule is continuous (every hour is a working hour), so the share is 0.' : ''),
  };
}

export function touDefinition(i: DefinitionInputs): Definition {
  return {
    'zh-CN': `峰/平/谷（及尖峰）占比 = 分时电价时段表（touSchedule）各时段内的${scopeZh(i)}用量 / 总用量；按现场时区本地钟点划分，尖峰时段仅在其所列月份从高峰中划出。只对电力计算。`,
    en: `Sharp/peak/flat/valley shares = the consumption of ${scopeEn(i)} in each period of the time-of-use schedule (touSchedule) / the total; periods by local clock hour in the site zone, sharp hours taken out of the peak only in the months they list. Electricity only.`,
  };
}

export function anomalyDefinition(i: DefinitionInputs): Definition {
  const whatZh = i.meterView
    ? '该计量点的日用量（计量单位）'
    : `企业日综合能耗（tce，${i.basis === 'equal' ? '等价值' : '当量值'}；计量的能源品种，不含子表、产品、原料用能和自产耗能工质；按月填报的能源无法拆分到日，不计入）`;
  const whatEn = i.meterView
    ? "the meter's daily consumption (in its unit)"
    : `the enterprise's daily energy consumption (tce on the ${i.basis} basis; metered carriers without sub-meters, products, feedstock and working media made on site; carriers entered monthly cannot be split by day and are left out)`;
  return {
    'zh-CN':
      `异常日：${whatZh}与前 ${i.weeks} 周同一星期几的中位数之差超过 ${i.thresholdMads} 倍标度 MAD（1.4826 × 中位数绝对偏差）。` +
      `同星期几有数据的天数少于 ${i.minHistoryDays} 天时不判定（列为 notJudged）。MAD 为 0 时（历史过半相同）界限为 0：与中位数不同的任何一天即为异常，等于中位数则不是，此时不给分数（score 为空，spreadMethod 为 zero-spread）。` +
      `超出量（tce）= 当日用量 − 中位数，按配置的折标口径，另给另一口径；为负表示低于中位数。`,
    en:
      `Anomalous day: ${whatEn} lies more than ${i.thresholdMads} scaled MADs (1.4826 x the median absolute deviation) from the median of the same weekday over the previous ${i.weeks} weeks. ` +
      `A day with fewer than ${i.minHistoryDays} same-weekday days of data is not judged (listed in notJudged). With MAD = 0 (more than half the history equal) the limit is 0: any day different from the median is anomalous and a day equal to it is not; there is then no score (score null, spreadMethod zero-spread). ` +
      `Excess (tce) = the day's consumption - the median, on the configured basis, with the other basis beside it; negative below the median.`,
  };
}

export function productDefinition(): Definition {
  return {
    'zh-CN':
      '产品日单耗 = 产品边界内（products: 所列计量点，默认为全部非子表能源计量点）当日能耗 / 当日计量的产品产量，与标杆单耗的定义相同：kgce/单位产品（当量值，边界内除产品外的全部能源，含原料用能）与交流电耗 kWh/单位产品（电网电力加可再生电力）。产量换算为该产品标杆的单位（无标杆时为第一个产品计量点的单位）。' +
      '只用产品计量点（无主表时用子表）的日产量；按月填报的产品产量无法拆分到日，不用于本项。无产量的日子不计。趋势 = 各日单耗对日序的最小二乘斜率（每日），相对变化 = 斜率 × (末日 − 首日) / 各日单耗均值。',
    en:
      "Unit consumption by day = the day's energy inside the product's boundary (the meters under products:, by default every energy meter that is not a sub-meter) / the day's metered product quantity: kgce per unit (equivalent basis, every carrier in the boundary but the product, feedstock included) and AC kWh per unit (grid plus renewable electricity), as the benchmark defines them; quantities converted to the unit of the product's benchmark level (else the first product meter's unit). " +
      'Only product meters (the sub-meters when no main meter measures it) give daily quantities: entered monthly products cannot be split by day and are not used here. Days without product are left out. Trend = the least-squares slope of the daily values on the day number (per day); relative change = slope x (last day - first day) / the mean of the daily values.',
  };
}
