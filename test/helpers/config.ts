/** Small configurations for tests, validated through the real loader. */
import { stringify } from 'yaml';
import { parseConfig } from '../../config/load';
import type { Config, ConfigInput } from '../../config/schema';
import { COEFFICIENTS } from '../../config/coefficients';
import { FactorTable } from '../../services/energy/factors';
import { MeterRegistry } from '../../services/energy/meterRegistry';

export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  const base: ConfigInput = {
    timezone: 'Asia/Shanghai',
    enterprises: [
      {
        id: 'alu01',
        name: '测试铝业',
        industry: '3216',
        quotas: [{ year: 2026, totalTce: 52000 }],
        meters: [
          { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', multiplier: 2, rollover: 1000, intervalSeconds: 900 },
          { id: 'e-pot', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 900 },
          { id: 'gas', carrier: 'natural_gas', unit: 'm3', kind: 'interval', intervalSeconds: 900 },
          { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter' },
        ],
      },
      {
        id: 'cem01',
        name: '测试水泥',
        industry: '3011',
        meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }],
      },
    ],
    ...overrides,
  };
  return parseConfig(stringify(base), 'test-config');
}

export function testRegistry(config: Config = testConfig()): MeterRegistry {
  return new MeterRegistry(config, new FactorTable(config, COEFFICIENTS));
}
