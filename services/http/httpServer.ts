/** The Express application and its HTTP server: one router per resource, one error handler. */
import express from 'express';
import http from 'node:http';
import type { Config } from '../../config/schema';
import type { QuarantineRecord, StateStore } from '../store/stateStore';
import type { ReplayOutcome } from '../../ingest/ingestPipeline';
import type { ConsumptionService } from '../consumption/consumptionService';
import type { Logger } from '../log';
import { bearerAuth } from './auth';
import { errorHandler, notFoundHandler } from './errorHandler';
import { enterprisesRouter } from './routes/enterprises';
import { healthRouter, type DependencyStatus } from './routes/health';
import { quarantineRouter } from './routes/quarantine';

export interface HttpDeps {
  readonly config: Config;
  readonly consumption: ConsumptionService;
  readonly state: StateStore;
  readonly replay: (records: readonly QuarantineRecord[]) => Promise<ReplayOutcome>;
  readonly health: () => Promise<Record<string, DependencyStatus>>;
  readonly logger: Logger;
  readonly now: () => number;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
    next();
  });
  app.use(healthRouter(deps.health));
  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(bearerAuth(deps.config.auth.tokens));
  api.use('/enterprises', enterprisesRouter(deps));
  api.use('/quarantine', quarantineRouter(deps));
  app.use('/api', api);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger.child({ component: 'http' })));
  return app;
}

export class HttpServer {
  private server: http.Server | undefined;

  constructor(private readonly options: { port: number; host?: string }, private readonly deps: HttpDeps) {}

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    const server = http.createServer(createHttpApp(this.deps));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    this.server = server;
    this.deps.logger.info({ port: this.port }, 'HTTP listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
