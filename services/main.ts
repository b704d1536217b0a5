/**
 * The process shell: loads the configuration, starts the app, handles signals and exit codes.
 * The app itself never exits the process.
 */
import { ConfigError, configPathFromEnv, connectionsFromEnv, loadConfigFile } from '../config/load';
import { parseShard, ShardSpecError } from '../config/shardSpec';
import { App } from './app';
import { withInstanceClientId } from './instanceId';
import { createLogger } from './core/log';
import { TlsConfigError, tlsFromEnv, type TlsSettings } from '../config/tlsOptions';
import type { Connections } from '../config/load';
import type { Config } from '../config/schema';
import { PortUnavailableError } from './core/errors';
import { configuredListeners, portClashMessage, startupLines } from './cli/startupLine';

const STOP_BOUND_MS = 15_000;

class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nusage: main [--shard i/N]   (0 <= i < N; or INGEST_SHARD=i/N)`);
    this.name = 'UsageError';
  }
}

/** Command-line options; they override the environment (`--shard` over INGEST_SHARD). */
function argsToEnv(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--shard=') ? ['--shard', arg.slice('--shard='.length)] : [arg, undefined];
    if (flag !== '--shard') throw new UsageError(`unknown argument "${arg}"`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError('--shard needs a value');
    parseShard(value, '--shard'); // a clear message naming the option, before the environment's checks
    env.INGEST_SHARD = value;
  }
  return env;
}

async function main(): Promise<void> {
  const logger = createLogger();
  let app: App | undefined;
  let started: { config: Config; connections: Connections; tls: TlsSettings } | undefined;
  let stopping = false;
  /** Stops the app within STOP_BOUND_MS and exits; a second call (e.g. a second Ctrl-C) exits at once. */
  const shutdown = (reason: string, exitCode: number): void => {
    if (stopping) {
      logger.warn({ reason }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, 'stopping');
    const force = setTimeout(() => {
      logger.error({ boundMs: STOP_BOUND_MS }, 'stop took too long; exiting');
      process.exit(1);
    }, STOP_BOUND_MS);
    force.unref();
    (app ? app.stop() : Promise.resolve()).then(
      () => process.exit(exitCode),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  const fatal =
    (msg: string) =>
    (err: unknown): void => {
      logger.fatal({ err }, msg);
      shutdown(msg, 1);
    };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));

  try {
    const configPath = configPathFromEnv(process.env);
    const config = loadConfigFile(configPath);
    const connections = withInstanceClientId(connectionsFromEnv({ ...process.env, ...argsToEnv(process.argv.slice(2)) }, config));
    if (connections.isDemo && (process.env.NODE_ENV === 'production' || connections.mqttUrl !== undefined || connections.influx !== undefined)) {
      logger.warn(
        { config: configPath },
        'running the DEMO configuration (public tokens and MQTT passwords) outside a demo run, because ENERGY_CONFIG names it',
      );
    }
    const simulate = process.env.SIMULATOR === undefined ? undefined : process.env.SIMULATOR !== 'off';
    const tls = tlsFromEnv(process.env);
    if (tls.mqttClient?.rejectUnauthorized === false) logger.warn('MQTT_REJECT_UNAUTHORIZED=false: the broker certificate is not checked');
    app = new App({ config, connections, tls, ...(simulate !== undefined && { simulate }) }, { logger });
    started = { config, connections, tls };
    logger.info(
      {
        config: configPath,
        demo: connections.isDemo,
        dataDir: connections.dataDir,
        role: connections.role ?? 'all',
        mqttClientId: connections.mqttClientId,
        ...(connections.shard && { shard: `${connections.shard.index}/${connections.shard.count}` }),
        ...(connections.mqttSharedGroup !== undefined && { sharedGroup: connections.mqttSharedGroup }),
      },
      'starting',
    );
  } catch (err) {
    if (err instanceof ConfigError || err instanceof TlsConfigError || err instanceof ShardSpecError || err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const { config, connections, tls } = started;
  try {
    await app.start();
  } catch (err) {
    // A port clash is a setting to change, not a crash: one line naming the variable, exit 2 as for configuration errors.
    if (err instanceof PortUnavailableError) {
      console.error(portClashMessage(err, configuredListeners(connections, tls)));
      logger.error({ port: err.port, host: err.host, reason: err.reason }, 'port unavailable');
      shutdown('port unavailable', 2);
      return;
    }
    fatal('start-up failed')(err);
    return;
  }
  // The one human line besides the JSON logs (README "Start-up").
  const publicUrl = process.env.PUBLIC_URL === undefined || process.env.PUBLIC_URL === '' ? undefined : process.env.PUBLIC_URL;
  const lines = startupLines({ config, connections, tls, httpPort: app.http.port, mqttPort: app.broker?.port, publicUrl });
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
