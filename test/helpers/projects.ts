/** A cement plant with two energy-review projects (contract 9.1) and their hours, for the project tests. */
import { testConfig } from './config';

const t = (iso: string) => Date.parse(iso);

/**
 * Electricity 0.1 kgce/kWh (an override on the equivalent basis, so it is the 当量值 too), natural
 * gas 1.2 kgce/m3 and 2.0 kgCO2/m3; grid 0.6 kgCO2/kWh in 2025 and 0.5 in 2026; clinker 0.5 t CO2/t.
 */
export const projectConfig = (equal = false) =>
  testConfig({
    ...(equal && { electricity: 'equal' as const, electricityEqualKgce: 0.3 }),
    coefficients: { electricity: 0.1, natural_gas: 1.2 },
    emissionFactors: {
      electricity: [
        { year: 2025, value: 0.6, source: 'grid 2025' },
        { year: 2026, value: 0.5, source: 'grid 2026' },
      ],
      natural_gas: 2.0,
    },
    enterprises: [
      {
        id: 'cem01',
        name: '测试水泥',
        industry: '3011',
        quotas: [{ year: 2026, totalTce: 100_000 }],
        processEmissions: [{ product: 'cement_clinker', tCo2PerUnit: 0.5, source: 'plant accounting' }],
        projects: [
          {
            id: 'line2',
            name: '二期熟料线',
            approvedTce: 2000,
            approvedCo2T: 12000,
            meters: ['e-line2', 'gas-line2', 'clinker2'],
            operatingFrom: '2025-12-01',
          },
          { id: 'line3', name: '三期', approvedTce: 500, meters: ['e-line3'], operatingFrom: '2026-02-20' },
        ],
        meters: [
          { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
          { id: 'e-line2', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
          { id: 'e-line3', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
          { id: 'gas-line2', carrier: 'natural_gas', unit: 'm3', kind: 'interval' },
          { id: 'clinker2', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
        ],
      },
    ],
  });

const hour = (meter: string, carrier: string, unit: string, iso: string, quantity: number) => ({
  enterprise: 'cem01',
  meter,
  carrier,
  unit,
  hour: t(iso),
  quantity,
});

/** The hours of the tests: line2 in Dec 2025 - Feb 2026, plus what must not count. */
export const PROJECT_HOURS = [
  hour('e-line2', 'electricity', 'kWh', '2025-11-20T10:00:00+08:00', 7_777_777), // before operatingFrom
  hour('e-line2', 'electricity', 'kWh', '2025-12-10T10:00:00+08:00', 1_000_000),
  hour('e-line2', 'electricity', 'kWh', '2026-01-10T10:00:00+08:00', 2_000_000),
  hour('e-line2', 'electricity', 'kWh', '2026-02-10T10:00:00+08:00', 500_000),
  hour('e-line2', 'electricity', 'kWh', '2026-03-10T10:00:00+08:00', 9_999_999), // t's month
  hour('gas-line2', 'natural_gas', 'm3', '2026-01-10T10:00:00+08:00', 100_000),
  hour('clinker2', 'product', 't', '2026-02-10T10:00:00+08:00', 2_000),
  hour('e-main', 'electricity', 'kWh', '2026-01-10T10:00:00+08:00', 50_000_000), // not a project meter
  hour('e-line3', 'electricity', 'kWh', '2026-02-25T10:00:00+08:00', 100),
];
