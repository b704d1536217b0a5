/**
 * Composition of the monthly reports (contract 6 and 8.4): the builder over the figures, the
 * archive of finalised revisions, the bounded render pool, the report mail and the marks that
 * send changed finalised months to the next recheck.
 */
import type { SqlExecutor } from './store/state/db/sqlExecutor';
import type { Config } from '../config/schema';
import type { Logger } from './core/log';
import type { EventBus } from './events/eventBus';
import type { MeterTimelines } from './energy/meterTimeline';
import type { ConsumptionService } from './figures/consumptionService';
import type { StatusService } from './figures/statusService';
import type { ProjectFiguresService } from './figures/projectFigures';
import type { DistrictCarbonSource } from './figures/districtCarbonTypes';
import type { BenchmarkFiguresService } from './figures/benchmarkFigures';
import type { DiagnosisFiguresService } from './figures/diagnosisFigures';
import type { DistrictBenchmarkService } from './figures/districtBenchmark';
import type { FactorTable } from './energy/factors';
import { MonthlyReportBuilder } from './reports/monthlyReportBuilder';
import { ReportMailer } from './reports/reportMailer';
import type { MonthlyReport } from './reports/reportModel';
import { ReportRenderPool, renderPoolOptionsFromEnv } from './reports/renderPool';
import { ReportService } from './reports/reportService';
import { RevisionMarker } from './reports/revisionMarks';
import type { AlarmStore } from './store/state/alarmStore';
import type { DeliveryLog } from './store/state/deliveryLog';
import { ReportArchive } from './store/state/reportArchive';
import type { TimeSeriesStore } from './store/timeSeriesStore';

export interface ReportsWiring {
  readonly config: Config;
  /** The state database the report archive (revisions, marks, downloads) lives in. */
  readonly stateDb: SqlExecutor;
  readonly smtpUrl: string | undefined;
  readonly consumption: ConsumptionService;
  readonly status: StatusService;
  /** Energy-review projects at month end (contract 9.1) and the district carbon section (contract 9). */
  readonly projects: ProjectFiguresService;
  readonly districtCarbon: DistrictCarbonSource;
  /** The benchmark section and each enterprise's top findings (contract 10, 11); the factors price the findings' kWh. */
  readonly benchmark: BenchmarkFiguresService;
  readonly districtBenchmark: DistrictBenchmarkService;
  readonly diagnosis: DiagnosisFiguresService;
  readonly factors: FactorTable;
  readonly alarms: AlarmStore;
  readonly store: TimeSeriesStore;
  readonly timelines: MeterTimelines;
  readonly bus: EventBus;
  readonly deliveries: DeliveryLog;
  readonly logger: Logger;
  readonly now: () => number;
  /** This instance holds the rules and reports lease. */
  readonly active: () => boolean;
}

export function composeReports(w: ReportsWiring) {
  const { config, logger, now } = w;
  // Monthly reports: finalised on the 1st at 01:00, re-checked nightly, mailed when SMTP is set.
  // The renderers (ECharts, pdfkit, exceljs) load on first use: they would add ~80 MB to every process.
  // Rendering is bounded and runs in worker threads (reports/renderPool.ts, README "Security"):
  // HTTP downloads past the bound are refused with 503, the report mail waits for its turn.
  const renderPool = new ReportRenderPool({ ...renderPoolOptionsFromEnv(process.env), logger: logger.child({ component: 'report-render' }) });
  const archive = new ReportArchive<MonthlyReport>(w.stateDb);
  const builder = new MonthlyReportBuilder({
    config,
    consumption: w.consumption,
    status: w.status,
    alarms: w.alarms,
    store: w.store,
    timelines: w.timelines,
    // The report's carbon section (contract 9) and each enterprise's projects at month end (9.1).
    districtCarbon: w.districtCarbon,
    projects: w.projects,
    benchmark: { enterprise: w.benchmark, district: w.districtBenchmark },
    diagnosis: { figures: w.diagnosis, factors: w.factors },
  });
  const reportMailer =
    w.smtpUrl && config.reports.recipients.length > 0
      ? new ReportMailer(
          { smtpUrl: w.smtpUrl, from: config.notify.from, recipients: config.reports.recipients, language: config.reports.language },
          { render: renderPool.render, deliveries: w.deliveries, logger: logger.child({ component: 'report-mail' }), now },
        )
      : undefined;
  const reports = new ReportService({
    config,
    builder,
    archive,
    sinks: reportMailer ? [reportMailer] : [],
    logger: logger.child({ component: 'reports' }),
    now,
    active: w.active,
    latest: (enterprises, options) => w.store.latest(enterprises, options),
    // InfluxDB announces readings before their day rollups are refreshed: a finalisation waits for them.
    settle: () => w.store.settleRollups(),
  });
  // Finalised months a change reaches are marked for the next recheck, on every instance (contract 8.4).
  const revisionMarker = new RevisionMarker({
    config,
    bus: w.bus,
    archive,
    history: w.store,
    logger: logger.child({ component: 'report-marks' }),
    now,
  });
  return { reports, archive, renderPool, revisionMarker, reportMailer };
}
