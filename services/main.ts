/**
 * The process shell: loads the configuration, starts the app, handles signals and exit codes.
 * The app itself never exits the process.
 */
import { ConfigError, connectionsFromEnv, DEMO_CONFIG_PATH, loadConfigFile } from '../config/load';
import { App } from './app';
import { createLogger } from './log';
import { TlsConfigError, tlsFromEnv } from './tlsOptions';

const STOP_BOUND_MS = 15_000;

async function main(): Promise<void> {
  const logger = createLogger();
  let app: App | undefined;
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
    (app ? app.stop() : Promise.resolve()).then(() => process.exit(exitCode), (err: unknown) => {
      logger.error({ err }, 'stop failed');
      process.exit(1);
    });
  };
  const fatal = (msg: string) => (err: unknown): void => {
    logger.fatal({ err }, msg);
    shutdown(msg, 1);
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));

  const configPath = process.env.ENERGY_CONFIG ?? DEMO_CONFIG_PATH;
  try {
    const config = loadConfigFile(configPath);
    const connections = connectionsFromEnv(process.env, config);
    const simulate = process.env.SIMULATOR === undefined ? undefined : process.env.SIMULATOR !== 'off';
    const tls = tlsFromEnv(process.env);
    if (tls.mqttClient?.rejectUnauthorized === false) logger.warn('MQTT_REJECT_UNAUTHORIZED=false: the broker certificate is not checked');
    app = new App({ config, connections, tls, ...(simulate !== undefined && { simulate }) }, { logger });
    logger.info({ config: configPath, demo: connections.isDemo, dataDir: connections.dataDir }, 'starting');
  } catch (err) {
    if (err instanceof ConfigError || err instanceof TlsConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  await app.start().catch(fatal('start-up failed'));
}

void main();
