/** Product boundaries (contract 10; docs/benchmark.md): listed meters, else the default boundary. */
import { parseConfig } from '../../../config/load';
import { benchmarkedProducts, productBoundary, productMeters } from '../../../services/energy/productBoundary';

const config = parseConfig(`
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    products:
      - {product: cement_clinker, meters: [coal-kiln, e-kiln]}
      - {product: calcium_carbide}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-kiln, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: coal-kiln, carrier: raw_coal, unit: t, kind: counter}
      - {id: pv, carrier: renewable_electricity, unit: kW, kind: power}
      - {id: air, carrier: compressed_air, unit: m3, kind: counter}
      - {id: gas-feed, carrier: feedstock_natural_gas, unit: m3, kind: counter}
      - {id: water, carrier: water, unit: t, kind: counter}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
      - {id: clinker2, carrier: product, product: cement_clinker, unit: kg, kind: counter}
      - {id: al, carrier: product, product: aluminium_liquid, unit: t, kind: counter}
      - {id: bricks, carrier: product, product: bricks, unit: t, kind: counter}
`);
const e = config.enterprises[0]!;
const ids = (ms: readonly { id: string }[]) => ms.map((m) => m.id);

describe('productBoundary', () => {
  it('takes the listed meters, a sub-meter included, in the meter order of the enterprise', () => {
    expect(ids(productBoundary(e, 'cement_clinker'))).toEqual(['e-kiln', 'coal-kiln']);
  });

  it('defaults to every energy meter that is not a sub-meter, a product meter or a medium made on site', () => {
    // Left out: e-kiln (sub-meter), air (compressed air, made from electricity), the product meters.
    expect(ids(productBoundary(e, 'calcium_carbide'))).toEqual(['e-main', 'coal-kiln', 'pv', 'gas-feed', 'water']);
    // A product not listed at all has the default boundary too.
    expect(ids(productBoundary(e, 'aluminium_liquid'))).toEqual(['e-main', 'coal-kiln', 'pv', 'gas-feed', 'water']);
  });

  it('finds the product meters and the benchmarked products (listed first, then metered ones that have a level)', () => {
    expect(ids(productMeters(e, 'cement_clinker'))).toEqual(['clinker', 'clinker2']);
    const levelled = new Set(['cement_clinker', 'calcium_carbide', 'aluminium_liquid']);
    expect(benchmarkedProducts(e, levelled)).toEqual(['cement_clinker', 'calcium_carbide', 'aluminium_liquid']);
  });
});
