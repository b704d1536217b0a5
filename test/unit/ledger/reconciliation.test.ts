import { enteredFigures, reconcile } from '../../../services/figures/reconciliation';

describe('reconcile (metered vs entered, contract 8.3)', () => {
  it('puts entered figures beside metered ones, converting units, flagging more than 5 % apart', () => {
    const lines = reconcile(
      [
        { kind: 'carrier', key: 'electricity', unit: 'kWh', quantity: 2000 },
        { kind: 'product', key: 'aluminium_liquid', unit: 't', quantity: 1 },
        { kind: 'product', key: 'clinker', unit: 't', quantity: 200 },
      ],
      [
        // 1050 kg = 1.05 t against 1 t metered: exactly 5 % apart, not more: not flagged.
        { kind: 'product', key: 'aluminium_liquid', unit: 'kg', quantity: 1050 },
        // 189 t against 200 t: -11 t, -11/200 = -0.055: flagged.
        { kind: 'product', key: 'clinker', unit: 't', quantity: 189 },
        { kind: 'carrier', key: 'raw_coal', unit: 't', quantity: 1250 },
      ],
    );
    expect(lines).toEqual([
      { kind: 'carrier', key: 'electricity', unit: 'kWh', metered: 2000, entered: null, difference: null, relativeDifference: null, flagged: false },
      { kind: 'carrier', key: 'raw_coal', unit: 't', metered: null, entered: 1250, difference: null, relativeDifference: null, flagged: false },
      {
        kind: 'product',
        key: 'aluminium_liquid',
        unit: 't',
        metered: 1,
        entered: 1.05,
        difference: expect.closeTo(0.05, 12),
        relativeDifference: expect.closeTo(0.05, 12),
        flagged: false,
      },
      { kind: 'product', key: 'clinker', unit: 't', metered: 200, entered: 189, difference: -11, relativeDifference: -0.055, flagged: true },
    ]);
    // 1051 kg: 0.051 t over 1 t, 5.1 %: flagged.
    expect(
      reconcile([{ kind: 'product', key: 'p', unit: 't', quantity: 1 }], [{ kind: 'product', key: 'p', unit: 'kg', quantity: 1051 }])[0]?.flagged,
    ).toBe(true);
  });

  it('a metered zero: flagged beside any entered figure but zero, with no relative difference', () => {
    const zero = [{ kind: 'product' as const, key: 'p', unit: 't', quantity: 0 }];
    expect(reconcile(zero, [{ kind: 'product', key: 'p', unit: 't', quantity: 5 }])[0]).toMatchObject({
      difference: 5,
      relativeDifference: null,
      flagged: true,
    });
    expect(reconcile(zero, [{ kind: 'product', key: 'p', unit: 't', quantity: 0 }])[0]).toMatchObject({
      difference: 0,
      relativeDifference: null,
      flagged: false,
    });
  });

  it('takes an entered carrier as purchased + opening - closing', () => {
    // 1200 + 300 - 250 = 1250 t; 0.5 + 0 - 0.2 = 0.3 t (float: 0.3 exactly as 0.5 - 0.2 gives).
    expect(
      enteredFigures({
        products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } },
        carriers: {
          raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 },
          diesel: { unit: 't', purchased: 0.5, openingStock: 0, closingStock: 0.2 },
        },
      }),
    ).toEqual([
      { kind: 'product', key: 'aluminium_liquid', unit: 't', quantity: 5302.6 },
      { kind: 'carrier', key: 'raw_coal', unit: 't', quantity: 1250 },
      { kind: 'carrier', key: 'diesel', unit: 't', quantity: 0.5 - 0.2 },
    ]);
  });

  it('gives its figures by the figure rule: a month of hourly shares that sums to 2468.4349999999995 t reads 2468.435', () => {
    const [line] = reconcile(
      [{ kind: 'product', key: 'aluminium_liquid', unit: 't', quantity: 2468.4349999999995 }],
      [{ kind: 'product', key: 'aluminium_liquid', unit: 't', quantity: 2471.704 }],
    );
    // 2471.704 - 2468.435 = 3.269 t; 3.269 / 2468.435 = 0.00132432... (9 significant digits: 0.00132432088).
    expect(line).toMatchObject({ metered: 2468.435, entered: 2471.704, difference: 3.269, relativeDifference: 0.00132432088, flagged: false });
  });
});
