/**
 * Which carriers make up an enterprise's or a park's energy use when CO2 is set against it (t CO2 per
 * tce: the zero-carbon-park indicator, the CO2 value of a benchmark saving). Domain
 * carbon-benchmark-2026.md 1.4/1.5 divide CO2 by all the energy consumed, so beside the dual-control
 * carriers this counts on-site renewable electricity (out of the quota since 2024, but energy used,
 * so replacing grid power with it lowers the ratio) and feedstock (its CO2 is in the process part).
 */
export function countsInEnergyUse(carrier: string, dualControl: boolean): boolean {
  return dualControl || carrier === 'renewable_electricity' || carrier.startsWith('feedstock_');
}
