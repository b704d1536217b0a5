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
  const configPath = process.env.ENERGY_CONFIG ?? DEMO_CONFIG_PATH;
  let app: App;
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

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      logger.error({ boundMs: STOP_BOUND_MS }, 'stop took too long; exiting');
      process.exit(1);
    }, STOP_BOUND_MS);
    force.unref();
    app.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'stop failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await app.stop();
    process.exit(1);
  }
}

process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection', reason);
  process.exit(1);
});

void main();
