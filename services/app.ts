/**
 * The composition root: builds every component from the validated configuration and the
 * connection settings, starts them in order and stops them in reverse. Nothing imports it back.
 */
import path from 'node:path';
import type { Connections } from '../config/load';
import type { Config } from '../config/schema';
import { COEFFICIENTS } from '../config/coefficients';
import { ConsumptionTracker } from '../ingest/consumptionTracker';
import { PayloadDecoder } from '../ingest/decode';
import { EmbeddedBroker } from '../ingest/embeddedBroker';
import { IngestPipeline } from '../ingest/ingestPipeline';
import { Journal } from '../ingest/journal';
import { MqttSource } from '../ingest/mqttSource';
import { demoSimulator } from './demoRun';
import { FactorTable } from './energy/factors';
import { MeterRegistry } from './energy/meterRegistry';
import { MeterTimelines } from './energy/meterTimeline';
import { MeterEventService } from './ledger/meterEventService';
import { MeterInventory } from './ledger/meterInventory';
import { MeterBaselineStore } from './store/state/meterBaselineStore';
import { MeterEventStore } from './store/state/meterEventStore';
import { EventBus } from './events/eventBus';
import { isoInZone } from './energy/time';
import { ScaleOut } from './scaleOut';
import { HttpServer } from './http/httpServer';
import { bindMetrics, instrumentStore, Metrics } from './observability/metrics';
import { AlarmStore } from './store/state/alarmStore';
import type { ReportService } from './reports/reportService';
import { composeReports } from './reportsWiring';
import { composeFigures } from './figuresWiring';
import { composeNotifiers } from './notifyWiring';
import { MonthlyStatisticsStore } from './store/state/monthlyStatisticsStore';
import { MonthlyStatisticsService } from './ledger/monthlyStatisticsService';
import type { MonthlyReportArchive } from './reports/reportModel';
import { AlarmManager, type AlarmSink } from '../alerts/alarmManager';
import { RuleEngine } from '../alerts/ruleEngine';
import { SqlDeliveryLog } from './store/state/deliveryLog';
import type { Logger } from './core/log';
import { InfluxTimeSeriesStore } from './store/influx/influxTimeSeriesStore';
import { routeInfluxClientLogs } from './store/influx/routeInfluxClientLogs';
import { SqliteTimeSeriesStore } from './store/sqlite/sqliteTimeSeriesStore';
import { StateStore } from './store/state/stateStore';
import { openStateDb } from './store/state/db/openStateDb';
import type { StateDb } from './store/state/db/sqlExecutor';
import type { TimeSeriesStore } from './store/timeSeriesStore';
import type { TlsSettings } from '../config/tlsOptions';

function memoryMb(): { rssMb: number; heapUsedMb: number } {
  const m = process.memoryUsage();
  return { rssMb: Math.round(m.rss / 2 ** 20), heapUsedMb: Math.round(m.heapUsed / 2 ** 20) };
}

export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  readonly config: Config;
  readonly connections: Connections;
  /** Where alarm transitions go besides the store (mail and webhook notifiers). */
  readonly alarmSinks?: readonly AlarmSink[];
  /** TLS material from the environment (config/tlsOptions.ts); none by default. */
  readonly tls?: TlsSettings;
  /** Run the demo meter simulator (default: only with the demo configuration). */
  readonly simulate?: boolean;
}

export class App {
  readonly bus: EventBus;
  /** The state database every state store below runs on (start() migrates it). */
  readonly stateDb: StateDb;
  readonly state: StateStore;
  readonly store: TimeSeriesStore;
  readonly pipeline: IngestPipeline;
  readonly http: HttpServer;
  readonly broker: EmbeddedBroker | undefined;
  readonly source: MqttSource;
  readonly metrics: Metrics;
  readonly alarms: AlarmStore;
  readonly outputs: MonthlyStatisticsStore;
  /** Meter events (contract 8.1): record, retract, list; the routes call this. */
  readonly meterEvents: MeterEventService;
  /** Orphaned meters and YAML drift of meter parameters, checked at start (contract 8.1). */
  readonly inventory: MeterInventory;
  private readonly meterEventStore: MeterEventStore;
  readonly rules: RuleEngine;
  readonly deliveries: SqlDeliveryLog;
  readonly reports: ReportService;
  /** Shard, shared subscription, role and the rules lease (README "Scale-out"). */
  readonly scaleOut: ScaleOut;
  private readonly archive: MonthlyReportArchive;
  private readonly notifiers: Lifecycle[] = [];
  private readonly components: { name: string; part: Lifecycle }[] = [];
  private started: string[] = [];

  constructor(
    private readonly options: AppOptions,
    private readonly deps: { logger: Logger; now?: () => number },
  ) {
    const { config, connections } = options;
    const logger = deps.logger;
    const now = deps.now ?? Date.now;
    this.bus = new EventBus(logger.child({ component: 'bus' }));
    this.metrics = new Metrics();
    bindMetrics(this.metrics, this.bus);
    // The state (alarms, quarantine, ledger, report revisions, the lease): SQLite under DATA_DIR, or PostgreSQL with DATABASE_URL.
    const stateDb = openStateDb(connections, logger.child({ component: 'state-db' }));
    this.stateDb = stateDb;
    this.scaleOut = new ScaleOut({ config, connections, stateDb }, { logger: logger.child({ component: 'scale-out' }), metrics: this.metrics, now });
    const scaleOut = this.scaleOut;
    this.state = new StateStore(stateDb, { ...(scaleOut.sourceRefPrefix !== undefined && { sourceRefPrefix: scaleOut.sourceRefPrefix }) });
    this.alarms = new AlarmStore(stateDb);
    this.outputs = new MonthlyStatisticsStore(stateDb);
    this.meterEventStore = new MeterEventStore(stateDb);
    // The InfluxDB client's logger is process-global: routed once here, where the process is composed.
    if (connections.influx) routeInfluxClientLogs(logger.child({ component: 'influx' }).child({ component: 'influxdb' }));
    this.store = instrumentStore(
      connections.influx
        ? new InfluxTimeSeriesStore(
            {
              url: connections.influx.url,
              database: connections.influx.database,
              zone: config.timezone,
              soleWriter: scaleOut.soleWriter,
              ...(connections.influx.token !== undefined && { token: connections.influx.token }),
              ...(connections.influx.org !== undefined && { org: connections.influx.org }),
            },
            { logger: logger.child({ component: 'influx' }), now },
          )
        : new SqliteTimeSeriesStore({ path: path.join(connections.dataDir, 'timeseries.db'), zone: config.timezone }),
      this.metrics,
    );
    const factors = new FactorTable(config, COEFFICIENTS);
    const meters = new MeterRegistry(config, factors, new MeterTimelines());
    const tracker = new ConsumptionTracker({ store: this.store, meters });
    // Only the meter's ingest shard recomputes its hours; resets found by a recomputation reach the data-quality rule.
    this.meterEvents = new MeterEventService({
      events: this.meterEventStore,
      meters,
      tracker,
      store: this.store,
      bus: this.bus,
      now,
      owns: (key) => scaleOut.ownsMeter(key),
      dataQuality: this.state,
      logger: logger.child({ component: 'meter-events' }),
    });
    this.inventory = new MeterInventory({
      config,
      store: this.store,
      baselines: new MeterBaselineStore(stateDb),
      // A YAML multiplier or rollover edit of a meter with history is not applied (the remembered base model is).
      meters,
      bus: this.bus,
      logger: logger.child({ component: 'meter-inventory' }),
      now,
    });
    const journal = new Journal({ dir: path.join(connections.dataDir, scaleOut.journalDir) });
    this.pipeline = new IngestPipeline(config.ingest, {
      // Readings at or after a meter's decommission are quarantined (contract 8.1).
      decoder: new PayloadDecoder(meters, {
        decommissionedAt: (key) => meters.timeline(key).decommissionedAt,
        formatInstant: (ms) => isoInZone(ms, config.timezone),
      }),
      tracker,
      state: this.state,
      bus: this.bus,
      journal,
      logger: logger.child({ component: 'ingest' }),
      now,
      ...(scaleOut.shardFilter && { shard: scaleOut.shardFilter }),
    });

    this.broker =
      connections.mqttUrl === undefined
        ? new EmbeddedBroker(
            {
              port: connections.embeddedBrokerPort,
              host: connections.embeddedBrokerHost ?? '127.0.0.1',
              accounts: config.auth.mqtt,
              maxPacketBytes: config.ingest.maxPacketBytes,
              maxConnectionsPerAccount: config.ingest.maxConnectionsPerAccount,
              reservedClientIds: [connections.mqttClientId],
              ...(options.tls?.embeddedBroker && { tls: options.tls.embeddedBroker }),
            },
            {
              logger: logger.child({ component: 'broker' }),
              onRefused: async (item) => {
                await this.state.quarantine([item]);
                this.bus.emit('quarantined', { items: [item] });
              },
              now,
            },
          )
        : undefined;
    const broker = this.broker;
    // The embedded broker's port is known once it listens (port 0 in tests).
    const mqttUrl = (): string => (broker ? `mqtt://127.0.0.1:${broker.port}` : (connections.mqttUrl ?? ''));
    this.source = new MqttSource(
      {
        url: mqttUrl,
        clientId: connections.mqttClientId,
        topics: scaleOut.topics,
        protocolVersion: scaleOut.protocolVersion,
        // The embedded broker's own client stays on plain loopback; TLS is for a remote broker.
        ...(broker === undefined && options.tls?.mqttClient && { tls: options.tls.mqttClient }),
        ...(broker
          ? { username: broker.internal.username, password: broker.internal.password }
          : {
              ...(connections.mqttUsername !== undefined && { username: connections.mqttUsername }),
              ...(connections.mqttPassword !== undefined && { password: connections.mqttPassword }),
            }),
      },
      {
        accept: (msg) => this.pipeline.accept(msg),
        logger: logger.child({ component: 'mqtt' }),
        now,
      },
    );

    const figures = composeFigures({ config, factors, store: this.store, outputs: this.outputs, meters });
    const { status, projects, benchmark } = figures;
    // Notifiers (contract 7): mail when an SMTP server is configured, webhooks when listed.
    const deliveries = new SqlDeliveryLog(stateDb);
    const { mail, hooks } = composeNotifiers({ config, smtpUrl: connections.smtpUrl, publicUrl: connections.publicUrl, deliveries, logger, now });
    // The bus sink feeds the dashboard's live events.
    const busSink: AlarmSink = { notify: (transitions) => this.bus.emit('alarmChanged', { transitions }) };
    const sinks: AlarmSink[] = [busSink, ...(options.alarmSinks ?? []), ...(mail ? [mail] : []), ...(hooks ? [hooks] : [])];
    this.deliveries = deliveries;
    if (mail) this.notifiers.push(mail);
    if (hooks) this.notifiers.push(hooks);
    const fence = scaleOut.fence;
    const manager = new AlarmManager({ alarms: this.alarms, sinks, logger: logger.child({ component: 'alarms' }), ...(fence && { fence }) });
    this.rules = new RuleEngine(
      {},
      {
        config,
        status,
        projects,
        benchmark,
        store: this.store,
        state: this.state,
        alarms: this.alarms,
        manager,
        logger: logger.child({ component: 'rules' }),
        now,
        active: () => scaleOut.active(),
        // Calibration alarms and decommissions from the meter events; a cycle after every ledger fact (contract 8).
        timelines: meters.timelines,
        events: this.bus,
      },
    );
    // Threshold rules also run on each stored reading (debounced by the pipeline's batches).
    this.bus.on('readingsStored', ({ readings }) => {
      this.rules.onReadings(readings).catch((err: unknown) => logger.error({ err }, 'threshold evaluation failed'));
    });
    const { reports, archive, renderPool, revisionMarker, reportMailer } = composeReports({
      config,
      stateDb: this.stateDb,
      smtpUrl: connections.smtpUrl,
      ...figures,
      factors,
      alarms: this.alarms,
      store: this.store,
      timelines: meters.timelines,
      bus: this.bus,
      deliveries,
      logger,
      now,
      active: () => scaleOut.active(),
    });
    this.reports = reports;
    this.components.push({ name: 'report rendering', part: { start: async () => undefined, stop: () => renderPool.close() } });
    if (reportMailer) this.notifiers.push(reportMailer);
    this.archive = archive;

    this.metrics.setSources({
      pipelineStats: () => this.pipeline.stats,
      journal: () => ({ depth: journal.depth, bytes: journal.bytes }),
      mqttConnected: () => this.source.status.ok,
      ...(broker && { oversizedPackets: () => broker.oversizedPackets }),
      activeAlarms: () => this.alarms.openCountsBySeverity(),
    });
    this.http = new HttpServer(
      { port: connections.httpPort, host: connections.httpHost ?? '127.0.0.1', ...(options.tls?.https && { tls: options.tls.https }) },
      {
        ...(connections.trustProxy !== undefined && { trustProxy: connections.trustProxy }),
        metricsAccess: connections.metrics ?? 'token',
        config,
        ...figures,
        alarms: this.alarms,
        outputs: this.outputs,
        monthly: new MonthlyStatisticsService({ store: this.outputs, config, factors, events: this.bus, now }),
        deliveries,
        metrics: this.metrics,
        state: this.state,
        events: this.bus,
        store: this.store,
        now,
        logger: logger.child({ component: 'http' }),
        reports: {
          service: this.reports,
          archive,
          render: renderPool.tryRender,
          language: config.reports.language,
          renderStats: () => renderPool.stats(),
        },
        replay: async (records) => {
          const { mine, others } = scaleOut.splitReplay(records);
          const outcome = await this.pipeline.replay(mine);
          return others.length === 0 ? outcome : { ...outcome, stillRejected: [...outcome.stillRejected, ...others] };
        },
        health: () => this.health(),
        meterEvents: this.meterEvents,
        timelines: {
          of: (key) => meters.timeline(key),
          inForce: (key, at) => {
            const m = meters.get(key);
            return m && meters.timeline(key).modelAt(m.model, at);
          },
        },
      },
    );

    this.components.push(
      // Opens the state database and applies its pending schema migrations before anything reads it.
      { name: 'state database', part: stateDb },
      { name: 'report archive', part: { start: () => this.archive.init(), stop: async () => undefined } },
      { name: 'time-series store', part: this.store },
      // Sets the meters' remembered base models (or refuses a changed kind or unit) before events load and ingest starts.
      { name: 'meter inventory', part: this.inventory },
      // Loads the events in force into the timelines before ingest evaluates any reading.
      { name: 'meter events', part: this.meterEvents },
      { name: 'revision marks', part: revisionMarker },
    );
    // Notifiers stop after the rules (reverse order) and send what is waiting before the log closes.
    this.notifiers.forEach((part, i) => this.components.push({ name: `notifier ${i + 1}`, part }));
    if (this.broker) this.components.push({ name: 'embedded broker', part: this.broker });
    this.components.push(
      { name: 'ingest pipeline', part: this.pipeline },
      { name: 'mqtt source', part: this.source },
      // ROLE=ingest has no lease and runs neither; otherwise both run while the lease is held.
      ...(scaleOut.lease
        ? [
            { name: 'rules lease', part: scaleOut.lease },
            { name: 'rules', part: this.rules },
            { name: 'reports', part: this.reports },
          ]
        : []),
      { name: 'http', part: this.http },
    );
    if (options.simulate ?? connections.isDemo) {
      const demo = { config, factors, meterEvents: this.meterEvents, monthly: this.outputs, mqttUrl, logger, now };
      this.components.push({ name: 'meter simulator', part: demoSimulator(demo) });
    }
  }

  async health(): Promise<Record<string, { ok: boolean; [k: string]: unknown }>> {
    const store = await this.store.health();
    return {
      mqtt: { ...this.source.status, ...(this.broker && { broker: 'embedded', brokerListening: this.broker.healthy }) },
      store: { ...store },
      stateStore: { ok: this.stateDb.healthy, engine: this.stateDb.dialect, schemaVersion: this.stateDb.schemaVersion },
      ingest: { ok: true, pending: this.pipeline.pending, ...this.pipeline.stats },
      process: { ok: true, ...memoryMb() },
      scaleOut: this.scaleOut.health(),
      meters: this.inventory.health(),
    };
  }

  async start(): Promise<void> {
    for (const { name, part } of this.components) {
      await part.start();
      this.started.push(name);
      this.deps.logger.debug({ component: name }, 'started');
    }
    this.deps.logger.info(
      { http: this.http.port, mqtt: this.broker ? `embedded :${this.broker.port}` : this.options.connections.mqttUrl, store: this.store.kind },
      'energy monitor running',
    );
  }

  /** Stops in reverse order; one failing component does not keep the others running. */
  async stop(): Promise<void> {
    for (const { name, part } of [...this.components].reverse()) {
      if (!this.started.includes(name)) continue;
      try {
        await part.stop();
      } catch (err) {
        this.deps.logger.error({ err, component: name }, 'stop failed');
      }
    }
    this.started = [];
  }
}
