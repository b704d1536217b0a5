/**
 * The figures services over one store and one set of monthly statistics: what the rules, the HTTP
 * API and the reports all read, built once so that every reader sees the same figures.
 */
import type { Config } from '../config/schema';
import type { FactorTable } from './energy/factors';
import type { MeterRegistry } from './energy/meterRegistry';
import { BenchmarkFiguresService } from './figures/benchmarkFigures';
import { ConsumptionService } from './figures/consumptionService';
import { DiagnosisFiguresService } from './figures/diagnosisFigures';
import { DistrictBenchmarkService } from './figures/districtBenchmark';
import { DistrictCarbonService } from './figures/districtCarbonService';
import { ProjectFiguresService } from './figures/projectFigures';
import { StatusService } from './figures/statusService';
import type { MonthlyStatisticsStore } from './store/state/monthlyStatisticsStore';
import type { TimeSeriesStore } from './store/timeSeriesStore';

export function composeFigures(w: {
  config: Config;
  factors: FactorTable;
  store: TimeSeriesStore;
  outputs: MonthlyStatisticsStore;
  meters: MeterRegistry;
}) {
  const { config, factors, store, outputs, meters } = w;
  const consumption = new ConsumptionService({ store, factors, config, monthly: outputs });
  const status = new StatusService({ store, outputs, config, factors, meters });
  const benchmark = new BenchmarkFiguresService({ store, outputs, config, factors });
  return {
    consumption,
    status,
    projects: new ProjectFiguresService({ store, config, factors }),
    benchmark,
    diagnosis: new DiagnosisFiguresService({ store, config, factors, timelines: meters.timelines }),
    districtBenchmark: new DistrictBenchmarkService({ config, benchmark, consumption, outputs }),
    districtCarbon: new DistrictCarbonService({ config, status, factors }),
  };
}
