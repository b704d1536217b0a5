import { bandsMarkup, stepMarkup, tariffStatus } from '../../../services/energy/tariff';
import { isTariffScope, tariffMeterKeys } from '../../../services/energy/meterScope';
import { tariffFigures, type Sums } from '../../../services/figures/tariffFigures';
import type { ConsumptionRow } from '../../../services/store/timeSeriesStore';
import { testConfig } from '../../helpers/config';

/** 1239号 as in contract 3 `aluminium-2025` (domain 3.1): +0.01 yuan/kWh per started 20 kWh/t. */
const al = (threshold: number) => ({ threshold, step: 20, markupPerStep: 0.01 });
const renewable = { ...al(13_300), renewableDiscount: { aboveShare: 0.15, perPoint: 0.01 } };
/** contract 3 `steel-bands`: limit 560, bands over 0.0 / 0.1 / 0.2. */
const steel = {
  limit: 560,
  bands: [
    { over: 0.0, markup: 0.05 },
    { over: 0.1, markup: 0.1 },
    { over: 0.2, markup: 0.3 },
  ],
};

describe('stepMarkup (contract 4; domain 3.1 examples)', () => {
  it.each([
    // [name, u kWh/t, threshold, yuan/kWh]
    ['2022 threshold: ceil((13700 - 13650) / 20) = ceil(2.5) = 3 steps', 13_700, 13_650, 0.03],
    ['2023 threshold: ceil(250 / 20) = ceil(12.5) = 13 steps', 13_700, 13_450, 0.13],
    ['2025 threshold: 400 / 20 = 20 steps exactly', 13_700, 13_300, 0.2],
    ['1 kWh/t above: ceil(1 / 20) = 1 step', 13_651, 13_650, 0.01],
    ['at the threshold: u <= T -> 0', 13_650, 13_650, 0],
    ['below the threshold', 12_900, 13_300, 0],
    ['40 / 20 = 2 steps exactly, not 3', 13_340, 13_300, 0.02],
    ['float noise 13,340.000000000002 is still 2 steps', 13_340.000000000002, 13_300, 0.02],
    ['20 / 20 = 1 step exactly', 13_320, 13_300, 0.01],
    ['20.5 / 20 = 1.025 -> 2 steps', 13_320.5, 13_300, 0.02],
    ['0.0000001 above the threshold is a started step', 13_300.0000001, 13_300, 0.01],
  ] as const)('%s', (_name, u, threshold, expected) => {
    expect(stepMarkup(u, al(threshold))).toBe(expected);
  });

  it('no output: u null -> no tier', () => {
    expect(stepMarkup(null, al(13_300))).toBeNull();
  });
});

describe('stepMarkup renewable discount (domain 3.1: 1 % per point above 15 %, points counted above aboveShare)', () => {
  it.each([
    // [name, u, share, yuan/kWh]; undiscounted markup at 13,700 is 0.20
    ['no share given', 13_700, undefined, 0.2],
    ['share 0.15 is not above 0.15', 13_700, 0.15, 0.2],
    ['share 0.159: floor(0.9) = 0 points', 13_700, 0.159, 0.2],
    ['share 0.16: 1 point -> 0.20 x 0.99 = 0.198', 13_700, 0.16, 0.198],
    ['share 0.18: 3 points -> 0.20 x 0.97 = 0.194', 13_700, 0.18, 0.194],
    ['share 0.25: 10 points -> 0.20 x 0.90 = 0.18', 13_700, 0.25, 0.18],
    ['share 0.18 at u 13,651: ceil(351 / 20) = 18 steps = 0.18 -> 0.18 x 0.97 = 0.1746', 13_651, 0.18, 0.1746],
    ['below the threshold stays 0', 13_200, 0.5, 0],
  ] as const)('%s', (_name, u, share, expected) => {
    expect(stepMarkup(u, renewable, share)).toBe(expected);
  });

  it('the discount factor never goes below 0', () => {
    // perPoint 0.5, share 0.20: 5 points -> 1 - 2.5 < 0 -> 0
    expect(stepMarkup(13_700, { ...al(13_300), renewableDiscount: { aboveShare: 0.15, perPoint: 0.5 } }, 0.2)).toBe(0);
  });
});

describe('bandsMarkup (contract 4: band with the largest over such that x > over)', () => {
  it.each([
    // [name, u, yuan/kWh]; x = (u - 560) / 560
    ['x < 0', 500, 0],
    ['x = 0 exactly', 560, 0],
    ['x just above 0 (u 560.0001)', 560.0001, 0.05],
    ['x = 28 / 560 = 0.05', 588, 0.05],
    ['x = 56.000056 / 560 = 0.1000001', 616.000056, 0.1],
    ['x = 112.000056 / 560 = 0.2000001', 672.000056, 0.3],
    ['x = 560 / 560 = 1.0', 1120, 0.3],
  ] as const)('%s', (_name, u, expected) => {
    expect(bandsMarkup(u, steel)).toBe(expected);
  });

  // A band edge reached through float arithmetic: without the rounding of x these land in the next band.
  // (56 / 560 is exactly 0.1 in floats, so an edge test at u = 616 could not fail.)
  it.each([
    // [name, limit, u, yuan/kWh]
    ['u = 61 x 1.1 = 67.1: x = 6.1 / 61 = 0.1 (float 0.10000000000000014) stays in the 0.0 band', 61, 61 * 1.1, 0.05],
    ['u = 56 x 1.2 = 67.2: x = 11.2 / 56 = 0.2 (float 0.20000000000000004) stays in the 0.1 band', 56, 56 * 1.2, 0.1],
  ] as const)('%s', (_name, limit, u, expected) => {
    expect((u - limit) / limit).not.toBe(Math.round(((u - limit) / limit) * 10) / 10); // the noise is really there
    expect(bandsMarkup(u, { limit, bands: steel.bands })).toBe(expected);
  });

  it('no output: u null -> no tier', () => {
    expect(bandsMarkup(null, steel)).toBeNull();
  });

  it('bands in any order; none below x gives 0', () => {
    expect(bandsMarkup(672.000056, { limit: 560, bands: [...steel.bands].reverse() })).toBe(0.3);
    // bands starting at 0.05: x = 0.03 (u = 576.8) is above no band
    expect(bandsMarkup(576.8, { limit: 560, bands: [{ over: 0.05, markup: 0.1 }] })).toBe(0);
  });
});

describe('tariffStatus (contract 4: u over the basis period, surcharge = markup x tariff-scope kWh)', () => {
  it('step: 13,700,000 kWh / 1,000 t = 13,700 kWh/t -> 0.20 yuan/kWh x 13.7e6 kWh = 2,740,000 yuan', () => {
    expect(tariffStatus({ scheme: 'step', electricityKwh: 13_700_000, productT: 1_000, tariff: al(13_300) })).toEqual({
      scheme: 'step',
      unitConsumption: 13_700,
      unit: 'kWh/t',
      markupYuanPerKwh: 0.2,
      surchargeYuan: 2_740_000,
    });
  });

  it('step with renewable share 0.18: 0.194 x 13.7e6 = 2,657,800 yuan', () => {
    const s = tariffStatus({ scheme: 'step', electricityKwh: 13_700_000, productT: 1_000, tariff: renewable, renewableShare: 0.18 });
    expect(s.markupYuanPerKwh).toBe(0.194);
    expect(s.surchargeYuan).toBe(2_657_800);
  });

  it('step below the threshold: tier 0, surcharge 0, no note', () => {
    expect(tariffStatus({ scheme: 'step', electricityKwh: 13_000_000, productT: 1_000, tariff: al(13_300) })).toEqual({
      scheme: 'step',
      unitConsumption: 13_000,
      unit: 'kWh/t',
      markupYuanPerKwh: 0,
      surchargeYuan: 0,
    });
  });

  it('bands kwh_per_t: 6,160,000 kWh / 10,000 t = 616 kWh/t (x = 0.1) -> 0.05 x 6.16e6 = 308,000 yuan', () => {
    expect(tariffStatus({ scheme: 'bands', metric: 'kwh_per_t', electricityKwh: 6_160_000, productT: 10_000, tariff: steel })).toEqual({
      scheme: 'bands',
      unitConsumption: 616,
      unit: 'kWh/t',
      markupYuanPerKwh: 0.05,
      surchargeYuan: 308_000,
    });
  });

  it('bands kgce_per_t: 12,500,000 kgce / 100,000 t = 125 kgce/t, limit 100 (x = 0.25) -> 0.30 x 8e6 kWh = 2,400,000 yuan', () => {
    expect(
      tariffStatus({
        scheme: 'bands',
        metric: 'kgce_per_t',
        electricityKwh: 8_000_000,
        allEnergyKgce: 12_500_000,
        productT: 100_000,
        tariff: { ...steel, limit: 100 },
      }),
    ).toEqual({ scheme: 'bands', unitConsumption: 125, unit: 'kgce/t', markupYuanPerKwh: 0.3, surchargeYuan: 2_400_000 });
  });

  it.each([[0], [null], [undefined], [-3]])('product %p: u null, no tier, note no-output, no division error', (productT) => {
    expect(tariffStatus({ scheme: 'step', electricityKwh: 13_700_000, productT, tariff: al(13_300) })).toEqual({
      scheme: 'step',
      unitConsumption: null,
      unit: 'kWh/t',
      markupYuanPerKwh: null,
      surchargeYuan: null,
      note: 'no-output',
    });
  });

  it('no output under kgce_per_t reports the kgce/t unit', () => {
    expect(tariffStatus({ scheme: 'bands', metric: 'kgce_per_t', electricityKwh: 1, allEnergyKgce: 1, productT: 0, tariff: steel }).unit).toBe(
      'kgce/t',
    );
  });

  it('kgce_per_t without allEnergyKgce is a programming error', () => {
    expect(() => tariffStatus({ scheme: 'bands', metric: 'kgce_per_t', electricityKwh: 1, productT: 1, tariff: steel })).toThrow(TypeError);
  });
});

describe('tariffFigures: dated thresholds, renewable electricity, kgce_per_t on 当量值 (contract 4, 8.2; issue 19)', () => {
  const zone = 'Asia/Shanghai';
  const ms = (iso: string) => Date.parse(iso);
  const meters = [
    { id: 'e-grid', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
    { id: 'pv', carrier: 'renewable_electricity', unit: 'kWh', kind: 'counter' },
    { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter' },
  ] as const;
  const configWith = (tariff: Record<string, unknown>) =>
    testConfig({
      enterprises: [{ id: 'alu01', name: '测试铝业', industry: '3216', tariff: 'al', quotas: [], meters: [...meters] }],
      tariffs: [{ id: 'al', basis: 'ytd', ...tariff } as never],
    });
  const sums = (s: Partial<Sums> = {}): Sums => ({ dualControlTce: 0, intensityTce: 0, electricityKwh: 0, renewableKwh: 0, ...s });
  const row = (carrier: string, unit: string, quantity: number, iso: string): ConsumptionRow => ({
    enterprise: 'alu01',
    carrier,
    unit,
    quantity,
    time: ms(iso),
  });
  const figuresAt = (config: ReturnType<typeof configWith>, rows: ConsumptionRow[], s: Sums, yearStart: string, at: string) =>
    tariffFigures(
      config.enterprises[0]!,
      config.tariffs[0]!,
      rows,
      { ytd: s, month: s },
      { yearStart: ms(yearStart), monthStart: ms(yearStart), at: ms(at), zone },
    );
  const dated = {
    scheme: 'step',
    step: 20,
    markupPerStep: 0.01,
    threshold: [
      { year: 2022, value: 13_650, source: '1239号 2022' },
      { year: 2023, value: 13_450, source: '1239号 from 2023' },
      { year: 2025, value: 13_300, source: '1239号 from 2025' },
    ],
  };

  it('December 2024 report, 13,400 kWh/t: the 2024 threshold 13,450 applies -> markup 0', () => {
    // 13,400,000 kWh / 1,000 t = 13,400 kWh/t <= 13,450
    const f = figuresAt(
      configWith(dated),
      [row('electricity', 'kWh', 13_400_000, '2024-06-01T00:00:00+08:00'), row('product', 't', 1_000, '2024-06-01T00:00:00+08:00')],
      sums({ electricityKwh: 13_400_000 }),
      '2024-01-01T00:00:00+08:00',
      '2025-01-01T00:00:00+08:00',
    );
    expect(f.unitConsumption).toBe(13_400);
    expect(f.markupYuanPerKwh).toBe(0);
    expect(f.dataYear).toBe(2024);
    expect(f.parameter).toEqual({ key: 'tariff/al/threshold', value: 13_450, unit: 'kWh/t', year: 2023, source: '1239号 from 2023' });
  });

  it('the same 13,400 kWh/t in 2025: ceil((13400 - 13300) / 20) x 0.01 = 0.05 yuan/kWh, 0.05 x 13.4e6 = 670,000 yuan', () => {
    const f = figuresAt(
      configWith(dated),
      [row('electricity', 'kWh', 13_400_000, '2025-06-01T00:00:00+08:00'), row('product', 't', 1_000, '2025-06-01T00:00:00+08:00')],
      sums({ electricityKwh: 13_400_000 }),
      '2025-01-01T00:00:00+08:00',
      '2026-01-01T00:00:00+08:00',
    );
    expect(f.markupYuanPerKwh).toBe(0.05);
    expect(f.surchargeYuan).toBe(670_000);
    expect(f.parameter).toMatchObject({ value: 13_300, year: 2025 });
  });

  it('13,700 kWh/t with 20 % on-site PV reads 13,700 (not 10,960): 0.20 yuan/kWh x grid 10.96e6 kWh = 2,192,000 yuan', () => {
    // grid 10,960,000 + PV 2,740,000 = 13,700,000 kWh over 1,000 t; ceil((13700 - 13300) / 20) = 20 steps x 0.01 = 0.20
    const rows = [
      row('electricity', 'kWh', 10_960_000, '2025-03-01T00:00:00+08:00'),
      row('renewable_electricity', 'kWh', 2_740_000, '2025-03-01T00:00:00+08:00'),
      row('product', 't', 1_000, '2025-03-01T00:00:00+08:00'),
    ];
    const s = sums({ electricityKwh: 10_960_000, renewableKwh: 2_740_000 });
    const f = figuresAt(
      configWith({ scheme: 'step', step: 20, markupPerStep: 0.01, threshold: 13_300 }),
      rows,
      s,
      '2025-01-01T00:00:00+08:00',
      '2025-12-31T00:00:00+08:00',
    );
    expect(f).toMatchObject({
      unitConsumption: 13_700,
      markupYuanPerKwh: 0.2,
      surchargeYuan: 2_192_000,
      electricityKwh: 10_960_000,
      renewableKwh: 2_740_000,
    });
    // countRenewable: false counts grid only: 10,960 kWh/t <= 13,300 -> 0
    const gridOnly = figuresAt(
      configWith({ scheme: 'step', step: 20, markupPerStep: 0.01, threshold: 13_300, countRenewable: false }),
      rows,
      s,
      '2025-01-01T00:00:00+08:00',
      '2025-12-31T00:00:00+08:00',
    );
    expect(gridOnly).toMatchObject({ unitConsumption: 10_960, markupYuanPerKwh: 0 });
  });

  it('renewable_electricity meters are in tariff scope (sub-meters and explicit tariffScope: false stay out)', () => {
    expect(isTariffScope({ carrier: 'renewable_electricity', submeter: false })).toBe(true);
    expect(isTariffScope({ carrier: 'renewable_electricity', submeter: true })).toBe(false);
    expect(isTariffScope({ carrier: 'renewable_electricity', submeter: false, tariffScope: false })).toBe(false);
    expect(isTariffScope({ carrier: 'natural_gas', submeter: false })).toBe(false);
    expect(tariffMeterKeys(configWith(dated)).map((k) => k.meter)).toEqual(['e-grid', 'pv', 'out']);
  });

  it('kgce_per_t uses dual-control kgce on 当量值 with electricity: equal (clinker 107.374, not 118.33 kgce/t)', () => {
    // 100,000 t clinker; 6,000,000 kWh: 当量值 737.4 tce, 等价值 6e6 x 0.3055 / 1000 = 1,833 tce; other fuels 10,000 tce.
    // 当量值: (10,000 + 737.4) x 1000 / 100,000 = 107.374 kgce/t <= limit 110 -> 0
    // 等价值 would give (10,000 + 1,833) x 1000 / 100,000 = 118.33: x = 0.0757 -> 0.05 yuan/kWh, a markup where there is none.
    const bands = { scheme: 'bands', metric: 'kgce_per_t', limit: 110, bands: [{ over: 0, markup: 0.05 }] };
    const rows = [row('electricity', 'kWh', 6_000_000, '2026-02-01T00:00:00+08:00'), row('product', 't', 100_000, '2026-02-01T00:00:00+08:00')];
    const s = sums({ dualControlTce: 11_833, dualControlTceEquivalent: 10_737.4, electricityKwh: 6_000_000 });
    const f = figuresAt(configWith(bands), rows, s, '2026-01-01T00:00:00+08:00', '2026-03-01T00:00:00+08:00');
    expect(f.unitConsumption).toBeCloseTo(107.374, 9);
    expect(f).toMatchObject({ unit: 'kgce/t', markupYuanPerKwh: 0, surchargeYuan: 0 });
    expect(f.parameter).toMatchObject({ key: 'tariff/al/limit', value: 110, unit: 'kgce/t' });
  });
});
