/**
 * The report fixture (reportFixture.ts) with the carbon parts of issue 20, hand-written for the
 * renderer tests. 2024-03, at 2024-04-01 00:00 +08:00: f = 91/366 (2024 is a leap year).
 *
 * steel-01 (park baitao): CO2 year to date 300.25 combustion + 0 process + 1,500.25 scope 2 = 1,800.5 t;
 *   budget 8,000 t: share 1,800.5 / 8,000 = 0.2250625; pace 1,800.5 x 366 / (8,000 x 91) = 658,983 / 728,000
 *   = 0.905196428571; forecast 1,800.5 x 366 / 91 = 7,241.57142857; a year earlier 1,700.5 t: +100 t,
 *   100 / 1,700.5 = 0.0588062334607.
 * cement-02 (no park): 2,000.5 + 2,500.25 + 500 = 5,000.75 t; no budget; a year earlier 5,050.75: -50 t.
 *   Intensity over 2024-01 and 2024-02: 3,000.5 t / 1,100 = 2.72772727273 t/10^4 yuan, limit 3: ratio 0.909242424242.
 * District: 6,801.25 t, a year earlier 6,751.25: +50 t (steel contributes 100 / 50 = 2, cement -50 / 50 = -1).
 *   Intensity this year 2.72772727273 against 3,190 / 1,100 = 2.9 a year earlier: 2.72772727273 / 2.9 - 1 =
 *   -0.0594043887147; required -3.8 %: target 2.9 x 0.962 = 2.7898, on track.
 * Park baitao: 1,800.5 t over 612.3456 tce (当量值) = 2.94033412893 t CO2/tce against 0.20; a year at this pace
 *   612.3456 x 366 / 91 = 2,462.86 tce, under the 10,000 tce line.
 * Project line2 at steel-01: 310 tce over 122 days (2023-12-01 to 2024-04-01) x 365 / 122 = 927.459016393 tce/a,
 *   / 1,000 = 0.927459016393 (warning: >= 0.9); 1,100 t x 365 / 122 = 3,290.98360656 t/a, / 3,000 = 1.09699453552
 *   (under the 1.10 re-review line).
 */
import type { DistrictCarbon } from '../../services/figures/districtCarbonTypes';
import type { MonthlyReport } from '../../services/reports/reportModel';
import { reportFixture } from './reportFixture';

export const GRID = { value: 0.5306, year: 2023, source: 'MEE/NBS 2024 No. 12, national' };
export const PARK_NAME = '白涛化工园区';
export const PROJECT_NAME = '二期电弧炉';

const ytd = { from: '2024-01-01T00:00:00.000+08:00', to: '2024-04-01T00:00:00.000+08:00' };

export function districtCarbonFixture(): DistrictCarbon {
  const steel = {
    totalT: 1800.5,
    combustionT: 300.25,
    processT: 0,
    scope2T: 1500.25,
    previousT: 1700.5,
    changeT: 100,
    change: 0.0588062334607,
    tce: 612.3456,
  };
  const cement = {
    totalT: 5000.75,
    combustionT: 2000.5,
    processT: 2500.25,
    scope2T: 500,
    previousT: 5050.75,
    changeT: -50,
    change: -0.00989952036826,
    tce: 905.5,
  };
  return {
    year: 2024,
    at: '2024-04-01T00:00:00.000+08:00',
    timezone: 'Asia/Shanghai',
    ...ytd,
    previous: { from: '2023-01-01T00:00:00.000+08:00', to: '2023-04-01T00:00:00.000+08:00' },
    totals: {
      totalT: 6801.25,
      combustionT: 2300.75,
      processT: 2500.25,
      scope2T: 2000.25,
      previousT: 6751.25,
      changeT: 50,
      change: 0.00740603591927,
      tce: 1517.8456,
      greenCertificatesKwh: 100000,
    },
    byIndustry: { C30: { name: '非金属矿物制品业', ...cement }, C31: { name: '黑色金属冶炼和压延加工业', ...steel } },
    byPark: [
      {
        id: 'baitao',
        name: PARK_NAME,
        enterprises: ['steel-01'],
        ...steel,
        tceEquivalent: 612.3456,
        annualTceEquivalent: 2462.86,
        co2PerTce: 2.94033412893,
        thresholdTPerTce: 0.2,
        scale: 'under-0.2Mtce',
        meetsThreshold: false,
        regionalReviewLineTce: 10000,
        overRegionalReviewLine: false,
      },
    ],
    intensity: { intensity: 2.72772727273, co2T: 3000.5, output10kYuan: 1100, months: { 'cement-02': ['2024-01', '2024-02'] } },
    yearOnYear: {
      co2: { current: 6801.25, previous: 6751.25, changeT: 50, change: 0.00740603591927 },
      intensity: {
        current: 2.72772727273,
        previous: 2.9,
        change: -0.0594043887147,
        co2T: 3000.5,
        output10kYuan: 1100,
        previousCo2T: 3190,
        previousOutput10kYuan: 1100,
        months: { 'cement-02': ['2024-01', '2024-02'] },
      },
    },
    requiredPace: { reduction: 0.038, targetIntensity: 2.7898, onTrack: true },
    enterprises: [
      {
        id: 'steel-01',
        name: '江南特钢,"精工"有限公司',
        industry: 'C31',
        park: 'baitao',
        ...steel,
        contribution: 2,
        greenCertificatesKwh: 100000,
        budget: { budgetT: 8000, share: 0.2250625, pace: 0.905196428571, level: 'green' },
        intensity: null,
        intensityLimit: null,
        intensityYearOnYear: null,
      },
      {
        id: 'cement-02',
        name: '长江水泥股份有限公司',
        industry: 'C30',
        park: null,
        ...cement,
        contribution: -1,
        greenCertificatesKwh: 0,
        budget: null,
        intensity: 2.72772727273,
        intensityLimit: 3,
        intensityYearOnYear: null,
      },
    ],
    gridFactor: GRID,
    parameters: [{ key: 'kgCO2/electricity/kWh', value: 0.5306, unit: 'kgCO2/kWh', year: 2023, source: GRID.source }],
  };
}

export function carbonReportFixture(): MonthlyReport {
  const base = reportFixture();
  const carbon = districtCarbonFixture();
  const [steel, cement] = base.enterprises as [MonthlyReport['enterprises'][number], MonthlyReport['enterprises'][number]];
  return {
    ...base,
    enterprises: [
      {
        ...steel,
        park: { id: 'baitao', name: PARK_NAME },
        carbon: {
          year: 2024,
          ytdT: 1800.5,
          combustionT: 300.25,
          processT: 0,
          scope2T: 1500.25,
          greenCertificatesKwh: 100000,
          budgetT: 8000,
          share: 0.2250625,
          pace: 0.905196428571,
          level: 'green',
          forecastT: 7241.57142857,
          gridFactor: GRID,
          intensity: null,
          previousT: 1700.5,
          changeT: 100,
          change: 0.0588062334607,
          contribution: 2,
        },
        projects: [
          {
            id: 'line2',
            name: PROJECT_NAME,
            approvedTce: 1000,
            approvedCo2T: 3000,
            operatingFrom: '2023-12-01',
            window: { from: '2023-12-01T00:00:00.000+08:00', to: '2024-04-01T00:00:00.000+08:00', days: 122 },
            months: ['2023-12', '2024-01', '2024-02', '2024-03'],
            windowTce: 310,
            windowCo2T: 1100,
            combustionT: 100,
            processT: 0,
            scope2T: 1000,
            annualTce: 927.459016393,
            annualCo2T: 3290.98360656,
            tceShare: 0.927459016393,
            co2Share: 1.09699453552,
            energyLevel: 'warning',
            co2Level: null,
            level: 'warning',
            note: null,
            gridFactors: [GRID],
          },
        ],
      },
      {
        ...cement,
        park: null,
        carbon: {
          year: 2024,
          ytdT: 5000.75,
          combustionT: 2000.5,
          processT: 2500.25,
          scope2T: 500,
          greenCertificatesKwh: 0,
          budgetT: null,
          share: null,
          pace: null,
          level: null,
          forecastT: 20108.5164835,
          gridFactor: GRID,
          intensity: {
            intensity: 2.72772727273,
            limit: 3,
            ratio: 0.909242424242,
            level: 'green',
            co2T: 3000.5,
            output10kYuan: 1100,
            months: ['2024-01', '2024-02'],
            note: null,
          },
          previousT: 5050.75,
          changeT: -50,
          change: -0.00989952036826,
          contribution: -1,
        },
        projects: [],
      },
    ],
    totals: { ...base.totals, byPark: { baitao: { name: PARK_NAME, totalTce: 207.19627089, co2Kg: 753819.4564799999, enterprises: 1 } } },
    carbon,
  };
}
