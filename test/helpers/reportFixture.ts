/**
 * A small hand-written monthly report for the renderer tests: two enterprises of two industries,
 * three carriers, a name with a comma and quotes (CSV quoting), figures with long binary tails
 * (377.16046289999997: exact re-reading), an intensity without output value (null), a tariff
 * period without product output (contract 4: no unit consumption, a note), a year-on-year change
 * with no previous figure (null). Figures follow contract 4 with the coefficients of
 * config/coefficients.yaml (electricity 0.1229 / 0.3055 kgce/kWh, gas 1.2143 kgce/m3, coal 714.3 kgce/t).
 */
import type { CarrierFigures, MonthlyReport } from '../../services/reports/reportModel';

const ELECTRICITY_SOURCE = 'GB/T 2589-2020 当量值 (domain 1.2) [D]';

function electricity(quantity: number, tce: number, tceOtherBasis: number, co2Kg: number): CarrierFigures {
  return { quantity, unit: 'kWh', tce, tceOtherBasis, co2Kg, dualControl: true, kgcePerUnit: 0.1229, kgceSource: ELECTRICITY_SOURCE };
}

/** Enterprise names, exported so that tests look for exactly these strings. */
export const STEEL_NAME = '江南特钢,"精工"有限公司';
export const CEMENT_NAME = '长江水泥股份有限公司';

export function reportFixture(): MonthlyReport {
  return {
    month: '2024-03',
    timezone: 'Asia/Shanghai',
    periodFrom: '2024-03-01T00:00:00.000+08:00',
    periodTo: '2024-04-01T00:00:00.000+08:00',
    generatedAt: '2024-04-01T02:00:00.000+08:00',
    revision: 2,
    sha256: '3f7a1c0d9e8b4a6f2c5d7e9f0a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
    electricityBasis: 'equivalent',
    scope: 'district',
    revisionNote: '补录 3 月 28 日电表数据',
    enterprises: [
      {
        id: 'steel-01',
        name: STEEL_NAME,
        industry: 'C31',
        industryName: '黑色金属冶炼和压延加工业',
        carriers: {
          electricity: electricity(1234567.8, 151.72838262, 377.16046289999997, 655061.6746799999),
          natural_gas: {
            quantity: 45678.9,
            unit: 'm3',
            tce: 55.467888269999996,
            tceOtherBasis: 55.467888269999996,
            co2Kg: 98757.7818,
            dualControl: true,
            kgcePerUnit: 1.2143,
            kgceSource: 'GB/T 2589 Annex A, gas-field natural gas (domain 1.3) [D]',
          },
        },
        totalTce: 207.19627089,
        totalTceOtherBasis: 377.16046289999997 + 55.467888269999996,
        co2Kg: 753819.4564799999,
        previousMonthTce: 198.765,
        sameMonthLastYearTce: 0,
        changeFromPreviousMonth: 0.04241828737453781,
        changeFromSameMonthLastYear: null,
        quota: { year: 2024, totalTce: 2400, ytdTce: 612.3456, share: 0.255144, pace: 1.0261835604395604, level: 'yellow' },
        intensity: { intensity: null, limit: 0.35, ratio: null, level: null, output10kYuan: null, months: [] },
        tariff: {
          tariff: 'steel-eaf',
          scheme: 'step',
          basis: 'ytd',
          unitConsumption: 412.36106750392463,
          unit: 'kWh/t',
          markupYuanPerKwh: 0.05,
          surchargeYuan: 61728.39000000001,
        },
        alarms: { info: 1, warning: 2, critical: 0 },
        completeness: 0.9989919354838709,
        meters: [
          { meter: 'steel-main-kwh', carrier: 'electricity', completeness: 0.9979838709677419, readings: 2970, expected: 2976 },
          { meter: 'steel-gas', carrier: 'natural_gas', completeness: 1, readings: 744, expected: 744 },
        ],
      },
      {
        id: 'cement-02',
        name: CEMENT_NAME,
        industry: 'C30',
        industryName: '非金属矿物制品业',
        carriers: {
          electricity: electricity(876543.21, 107.727160509, 267.783950655, 465093.82722599996),
          raw_coal: {
            quantity: 321.5,
            unit: 't',
            tce: 229.64745,
            tceOtherBasis: 229.64745,
            co2Kg: 610946.45,
            dualControl: true,
            kgcePerUnit: 714.3,
            kgceSource: 'GB/T 2589 Annex A, raw coal 0.7143 kgce/kg (domain 1.3) [D]',
          },
        },
        totalTce: 337.374610509,
        totalTceOtherBasis: 267.783950655 + 229.64745,
        co2Kg: 1076040.2772259999,
        previousMonthTce: 310.2,
        sameMonthLastYearTce: 295.75,
        changeFromPreviousMonth: 0.08760351550290132,
        changeFromSameMonthLastYear: 0.14074255455283172,
        quota: { year: 2024, totalTce: 2000, ytdTce: 905.5, share: 0.45275, pace: 1.8209505494505493, level: 'red' },
        intensity: {
          intensity: 0.5122765331522969,
          limit: 0.45,
          ratio: 1.1383922958939932,
          level: 'yellow',
          output10kYuan: 1767.6,
          months: ['2024-01', '2024-02', '2024-03', '2024-05'],
        },
        tariff: {
          tariff: 'cement-clinker',
          scheme: 'bands',
          basis: 'month',
          unitConsumption: null,
          unit: 'kgce/t',
          markupYuanPerKwh: null,
          surchargeYuan: null,
          note: 'no-output',
        },
        alarms: { info: 0, warning: 1, critical: 3 },
        completeness: 0.95,
        meters: [
          { meter: 'cement-kiln-kwh', carrier: 'electricity', completeness: 0.9, readings: 2678, expected: 2976 },
          { meter: 'cement-coal', carrier: 'raw_coal', completeness: 1, readings: 31, expected: 31 },
        ],
      },
    ],
    totals: {
      totalTce: 544.570881399,
      totalTceOtherBasis: 377.16046289999997 + 55.467888269999996 + 267.783950655 + 229.64745,
      co2Kg: 1829859.7337059998,
      byCarrier: {
        electricity: {
          quantity: 2111111.01,
          unit: 'kWh',
          tce: 259.455543129,
          tceOtherBasis: 377.16046289999997 + 267.783950655,
          co2Kg: 1120155.5019059998,
        },
        natural_gas: { quantity: 45678.9, unit: 'm3', tce: 55.467888269999996, tceOtherBasis: 55.467888269999996, co2Kg: 98757.7818 },
        raw_coal: { quantity: 321.5, unit: 't', tce: 229.64745, tceOtherBasis: 229.64745, co2Kg: 610946.45 },
      },
      byIndustry: {
        C30: { name: '非金属矿物制品业', totalTce: 337.374610509, co2Kg: 1076040.2772259999, enterprises: 1 },
        C31: { name: '黑色金属冶炼和压延加工业', totalTce: 207.19627089, co2Kg: 753819.4564799999, enterprises: 1 },
      },
    },
    ranking: [
      {
        industry: 'C30',
        industryName: '非金属矿物制品业',
        rank: 1,
        enterprise: 'cement-02',
        name: CEMENT_NAME,
        metric: 'intensity',
        value: 0.5122765331522969,
        unit: 'tce/万元',
      },
      {
        industry: 'C31',
        industryName: '黑色金属冶炼和压延加工业',
        rank: 1,
        enterprise: 'steel-01',
        name: STEEL_NAME,
        metric: 'unit-consumption',
        value: 412.36106750392463,
        unit: 'kWh/t',
      },
    ],
    concentration: [
      { top: 1, share: 0.6195237792411636, enterprises: ['cement-02'] },
      { top: 3, share: 1, enterprises: ['cement-02', 'steel-01'] },
    ],
  };
}
