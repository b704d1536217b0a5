import { bandsMarkup, stepMarkup, tariffStatus } from '../../../services/energy/tariff';

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
    ['x = 56 / 560 = 0.1 exactly stays in the 0.0 band', 616, 0.05],
    ['x = 56.000056 / 560 = 0.1000001', 616.000056, 0.1],
    ['x = 112 / 560 = 0.2 exactly stays in the 0.1 band', 672, 0.1],
    ['x = 112.000056 / 560 = 0.2000001', 672.000056, 0.3],
    ['x = 560 / 560 = 1.0', 1120, 0.3],
  ] as const)('%s', (_name, u, expected) => {
    expect(bandsMarkup(u, steel)).toBe(expected);
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
