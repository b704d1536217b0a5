/**
 * The Express application and its HTTP server: one router per resource, one error handler.
 * Hardening: security headers (helmet, a strict CSP), a rate limit on /api per token or client
 * address, credentials scrubbed from every log line an error writes, and client errors of Express
 * and its body parser answered as the contract's JSON error with their own 4xx status.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import helmet from 'helmet';
import http from 'node:http';
import https from 'node:https';
import type { Config } from '../../config/schema';
import type { QuarantineRecord, StateStore } from '../store/state/stateStore';
import type { ReplayOutcome } from '../../ingest/ingestPipeline';
import type { ConsumptionService } from '../figures/consumptionService';
import { listen } from '../core/listen';
import type { Logger } from '../core/log';
import { metricsRouter, type Metrics } from '../observability/metrics';
import { bearerAuth, bearerPrincipal, principalForToken, requireBearer, STAFF_ROLES } from './auth';
import { errorHandler, notFoundHandler } from './errorHandler';
import { enterprisesRouter } from './routes/enterprises';
import { meterEventsRouter, type MeterEventPort } from './routes/meterEvents';
import { meterHistoryRouter } from './routes/meterHistory';
import type { TimelineLookup } from './routes/meters';
import { enterpriseMonthlyRouter, monthlyWorkbookRouter } from './routes/monthly';
import { healthRouter, type DependencyStatus } from './routes/health';
import { quarantineRouter } from './routes/quarantine';
import { alarmsRouter } from './routes/alarms';
import { projectsRouter } from './routes/projects';
import { benchmarkRouter } from './routes/benchmark';
import { diagnosisRouter } from './routes/diagnosis';
import type { DiagnosisFiguresService } from '../figures/diagnosisFigures';
import type { ProjectFiguresService } from '../figures/projectFigures';
import type { BenchmarkFiguresService } from '../figures/benchmarkFigures';
import type { DistrictBenchmarkService } from '../figures/districtBenchmark';
import { districtBenchmarkRouter } from './routes/districtBenchmark';
import type { AlarmStore } from '../store/state/alarmStore';
import type { MonthlyStatisticsStore } from '../store/state/monthlyStatisticsStore';
import type { MonthlyStatisticsService } from '../ledger/monthlyStatisticsService';
import type { StatusService } from '../figures/statusService';
import type { DeliveryLog } from '../store/state/deliveryLog';
import type { EventBus } from '../events/eventBus';
import type { TimeSeriesStore } from '../store/timeSeriesStore';
import { dashboardRouter } from './dashboard/dashboardRouter';
import { liveEventsRouter } from './dashboard/liveEvents';
import { sessionRouter } from './dashboard/sessionRoutes';
import { SessionStore } from './dashboard/sessions';
import { districtRouter } from './routes/district';
import { districtCarbonRouter } from './routes/districtCarbon';
import type { DistrictCarbonSource } from '../figures/districtCarbonTypes';
import { notificationsRouter } from './routes/notifications';
import { reportsRouter } from './routes/reports';
import type { ReportService } from '../reports/reportService';
import type { MonthlyReportArchive } from '../reports/reportModel';
import type { RenderReport } from '../reports/reportFormats';
import type { RenderPoolStats } from '../reports/renderPool';
import type { MetricsAccess } from '../../config/load';
import { applyTrustProxy } from './trustProxy';
import { answerClientError, clientErrorHandler } from './clientErrors';
import { credentialSafeLogger } from './credentialScrub';
import { registeredRoutes, type RegisteredRoute } from './routeTable';

export interface HttpDeps {
  readonly config: Config;
  readonly consumption: ConsumptionService;
  readonly state: StateStore;
  readonly replay: (records: readonly QuarantineRecord[]) => Promise<ReplayOutcome>;
  readonly health: () => Promise<Record<string, DependencyStatus>>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly status: StatusService;
  /** Energy-review projects (contract 9.1): `GET /api/enterprises/{id}/projects` when given. */
  readonly projects?: ProjectFiguresService;
  /** Benchmark and baseline levels (contract 10): `GET /api/enterprises/{id}/benchmark` when given. */
  readonly benchmark?: BenchmarkFiguresService;
  /** Energy-saving diagnosis (contract 11): `GET /api/enterprises/{id}/diagnosis` when given. */
  readonly diagnosis?: DiagnosisFiguresService;
  /** The district's benchmark view and efficiency leaders (contract 10): `GET /api/district/benchmark` when given. */
  readonly districtBenchmark?: DistrictBenchmarkService;
  /** District carbon (contract 9): `GET /api/district/carbon` when given. */
  readonly districtCarbon?: DistrictCarbonSource;
  readonly alarms: AlarmStore;
  readonly outputs: MonthlyStatisticsStore;
  /** Monthly statistics entered by hand (contract 8.3): their routes, the output shorthand and the XLSX template. */
  readonly monthly?: MonthlyStatisticsService;
  readonly deliveries?: DeliveryLog;
  /** The event bus the dashboard's live stream listens to. */
  readonly events?: EventBus;
  /** The store behind the meters overview (newest reading, completeness). */
  readonly store: TimeSeriesStore;
  /** Meter events (contract 8.1): `/api/enterprises/{id}/meters/{meterId}/events` when given. */
  readonly meterEvents?: MeterEventPort;
  /** The meter events in force (MeterTimelines): the meter lists show calibration and decommission. */
  readonly timelines?: TimelineLookup;
  /** Dashboard sessions (default: in memory, 8 h idle, 12 h at most). */
  readonly sessions?: SessionStore;
  readonly reports?: {
    readonly service: ReportService;
    readonly archive: MonthlyReportArchive;
    readonly language: 'zh-CN' | 'en';
    /** May refuse with ReportRenderBusyError (503 + Retry-After) when rendering is at its bound (renderPool.ts). */
    readonly render: RenderReport;
    /** The render pool's state, shown in /healthz's details (staff token). */
    readonly renderStats?: () => RenderPoolStats;
  };
  /** Served at GET /metrics when given, as `metricsAccess` says (contract 5: "and /metrics if enabled"). */
  readonly metrics?: Metrics;
  /** METRICS: `token` (default; a bearer token of admin, officer or auditor), `public` (no token), `off` (404). */
  readonly metricsAccess?: MetricsAccess;
  /** TRUST_PROXY: Express's `trust proxy` (hop count, true/false, or addresses and subnets); unset trusts none. */
  readonly trustProxy?: string;
  /** Requests per window on /api, per token (or per client address without a valid one). Default 600 per minute. */
  readonly rateLimit?: { readonly windowMs: number; readonly max: number };
}

export const DEFAULT_RATE_LIMIT = { windowMs: 60_000, max: 600 } as const;

/**
 * A JSON API plus the dashboard served from the same origin: everything from 'self' only, no
 * inline script or style element, no plugins, no framing. Style attributes alone are allowed:
 * ECharts sets them on its hover layer and tooltips (a browser test hovers a chart to keep this
 * honest); they cannot run script, and the dashboard puts data into the page only as text. No
 * upgrade-insecure-requests: plant networks often serve the service over plain HTTP, where it
 * would break the dashboard's own requests.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  styleSrcAttr: ["'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export type HttpApp = express.Express & {
  /** Ends the open live-event streams, which would otherwise keep the server from closing. */
  closeStreams(): void;
};

export function createHttpApp(deps: HttpDeps): HttpApp {
  const app = express();
  const logger = deps.logger.child({ component: 'http' });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Behind a TLS-terminating proxy, req.secure and req.ip come from X-Forwarded-* of the trusted
  // hops only; that decides the session cookie's Secure flag, HSTS and the rate limit's address.
  applyTrustProxy(app, deps.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // HSTS over plain HTTP is ignored by browsers at best (RFC 6797 8.1) and announces HTTPS
      // that may not exist: sent below on secure requests only.
      strictTransportSecurity: false,
    }),
  );
  app.use(hstsOnSecureRequests);
  const tokens = deps.config.auth.tokens;
  const limiter = apiRateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT, tokens, logger);
  // Probes without credentials are never limited; a request that presents a token counts against
  // the token's (or the address's) budget, so /healthz cannot serve as an unlimited token oracle.
  app.use('/healthz', (req, res, next) => (req.get('authorization') === undefined ? next() : limiter(req, res, next)));
  const renderStats = deps.reports?.renderStats;
  const health = renderStats ? async () => ({ ...(await deps.health()), reportRendering: { ok: true, ...renderStats() } }) : deps.health;
  const staff = (req: Request): boolean => {
    const principal = bearerPrincipal(req, tokens);
    return principal !== undefined && STAFF_ROLES.includes(principal.role);
  };
  app.use(healthRouter(health, { showDetails: staff }));
  const metricsAccess = deps.metricsAccess ?? 'token';
  if (deps.metrics && metricsAccess !== 'off') {
    app.use(metricsRouter(deps.metrics, { ...(metricsAccess === 'token' && { guard: [limiter, requireBearer(tokens, STAFF_ROLES)] }) }));
  }
  const api = express.Router();
  api.use(limiter);
  const sessions = deps.sessions ?? new SessionStore();
  // Signing in is the one /api route without a token; its attempts count against the rate limit.
  api.use('/session', express.json({ limit: '4kb' }), sessionRouter({ tokens: deps.config.auth.tokens, sessions }));
  // Authenticate before reading a body: no JSON parsing for requests without a valid token.
  api.use(bearerAuth(tokens, sessions));
  api.use(express.json({ limit: '1mb' }));
  api.use('/enterprises', enterprisesRouter(deps));
  if (deps.projects) api.use('/enterprises', projectsRouter({ config: deps.config, projects: deps.projects, now: deps.now }));
  if (deps.benchmark) api.use('/enterprises', benchmarkRouter({ config: deps.config, benchmark: deps.benchmark, now: deps.now }));
  if (deps.diagnosis) api.use('/enterprises', diagnosisRouter({ config: deps.config, diagnosis: deps.diagnosis, now: deps.now }));
  api.use('/enterprises', meterHistoryRouter(deps));
  if (deps.meterEvents) api.use('/enterprises', meterEventsRouter({ config: deps.config, meterEvents: deps.meterEvents, now: deps.now }));
  if (deps.monthly) {
    const monthly = { config: deps.config, monthly: deps.monthly, store: deps.store };
    api.use('/enterprises', enterpriseMonthlyRouter(monthly));
    api.use('/monthly', monthlyWorkbookRouter(monthly));
  }
  api.use('/district', districtRouter(deps));
  if (deps.districtCarbon) api.use('/district', districtCarbonRouter({ config: deps.config, districtCarbon: deps.districtCarbon, now: deps.now }));
  if (deps.districtBenchmark)
    api.use('/district', districtBenchmarkRouter({ config: deps.config, districtBenchmark: deps.districtBenchmark, now: deps.now }));
  const live = deps.events ? liveEventsRouter({ events: deps.events, zone: deps.config.timezone }) : undefined;
  if (live) api.use('/events', live);
  api.use('/quarantine', quarantineRouter({ ...deps, zone: deps.config.timezone }));
  if (deps.deliveries) api.use('/notifications', notificationsRouter(deps.deliveries, deps.config.timezone));
  if (deps.reports) {
    const r = deps.reports;
    api.use(
      '/reports',
      reportsRouter({
        reports: r.service,
        archive: r.archive,
        render: r.render,
        zone: deps.config.timezone,
        language: r.language,
        enterpriseIds: new Set(deps.config.enterprises.map((e) => e.id)),
        now: deps.now,
      }),
    );
  }
  const enterpriseNames = new Map(deps.config.enterprises.map((e) => [e.id, e.name]));
  api.use(
    '/alarms',
    alarmsRouter({
      alarms: deps.alarms,
      zone: deps.config.timezone,
      now: deps.now,
      enterpriseName: (id) => enterpriseNames.get(id) ?? id,
      ...(deps.events && { events: deps.events }),
    }),
  );
  app.use('/api', api);
  app.use(dashboardRouter());
  app.use(notFoundHandler);
  app.use(clientErrorHandler);
  // The error handler logs `err`; its logger for this request scrubs the request's credentials.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => errorHandler(credentialSafeLogger(logger, req))(err, req, res, next));
  return Object.assign(app, { closeStreams: () => live?.close() });
}

/** Strict-Transport-Security (helmet's value: a year, subdomains) on HTTPS and trusted-proxy HTTPS requests only. */
function hstsOnSecureRequests(req: Request, res: Response, next: NextFunction): void {
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
}

/**
 * 429 with the contract's JSON error and the standard RateLimit headers (IETF draft 8) plus
 * Retry-After. Counted per token when the request carries a valid one, else per client address
 * (IPv6 per /56), so unauthenticated guessing is limited too. Behind a reverse proxy set TRUST_PROXY
 * (trustProxy.ts), or every tokenless client shares the proxy's address.
 */
function apiRateLimit(limit: { windowMs: number; max: number }, tokens: Config['auth']['tokens'], logger: Logger) {
  return rateLimit({
    windowMs: limit.windowMs,
    limit: limit.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      const principal = match?.[1] ? principalForToken(match[1], tokens) : undefined;
      return principal ? `token:${principal.name}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (_req, res, _next, options) => {
      res.status(options.statusCode).json({
        error: {
          code: 'rate-limited',
          message: `too many requests: at most ${limit.max} per ${limit.windowMs / 1000} s; retry after the time in the Retry-After header`,
        },
      });
    },
    logger: {
      warn: (err, message) => logger.warn({ err }, message ?? 'rate limiter'),
      error: (err, message) => logger.error({ err }, message ?? 'rate limiter'),
    },
  });
}

export class HttpServer {
  private server: http.Server | undefined;
  private app: HttpApp | undefined;

  /** With `tls` (certificate and key, e.g. from HTTPS_CERT_FILE/HTTPS_KEY_FILE) it serves HTTPS. */
  constructor(
    private readonly options: { port: number; host?: string; tls?: { readonly cert: Buffer | string; readonly key: Buffer | string } },
    private readonly deps: HttpDeps,
  ) {}

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    const app = createHttpApp(this.deps);
    this.app = app;
    const tls = this.options.tls;
    const server: http.Server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, app) : http.createServer(app);
    server.on('clientError', answerClientError);
    await listen(server, this.options.port, this.options.host);
    this.server = server;
    this.deps.logger.info({ port: this.port, https: tls !== undefined }, tls ? 'HTTPS listening' : 'HTTP listening');
  }

  /** The address the server is bound to (HTTP_HOST; 127.0.0.1 unless told otherwise). */
  get address(): string | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.address : undefined;
  }

  /** Every route the running app registered (method and path pattern): the role matrix's rows. */
  routes(): RegisteredRoute[] {
    return this.app ? registeredRoutes(this.app) : [];
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.app?.closeStreams();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
