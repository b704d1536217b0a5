/**
 * `npm run simulate`: publishes the configured meters to a broker, like the plants' gateways.
 *
 *   ENERGY_CONFIG             configuration file (default: config/demo.yaml)
 *   MQTT_URL                  broker (default mqtt://127.0.0.1:1883)
 *   SIMULATOR_PASSWORDS       JSON map enterpriseId -> password (default: "<enterpriseId>-demo",
 *                             the demo configuration's gateway accounts)
 *   SIMULATOR_BACKFILL_HOURS  history sent on start (default 48)
 *   SIMULATOR_SEED_YTD        1/0: also send one register per counter per day since 1 January so
 *                             the year-to-date quota and tariff figures are meaningful (default 1)
 *   SIMULATOR_ANOMALIES       1/0: inject resets, gaps, late batches, duplicates, invalid messages (default 1)
 *
 * The process shell only: signals and exit codes. A second signal, or a stop that takes longer
 * than STOP_TIMEOUT_MS, exits at once.
 */
import { ConfigError, DEMO_CONFIG_PATH, loadConfigFile } from '../../config/load';
import { createLogger } from '../../services/core/log';
import { DEFAULT_BACKFILL_HOURS, MeterSimulator } from './meterSimulator';

const STOP_TIMEOUT_MS = 5000;

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !/^(0|false|no|off)$/i.test(value.trim());
}

function passwords(env: NodeJS.ProcessEnv): (enterpriseId: string) => string {
  const text = env.SIMULATOR_PASSWORDS;
  if (text === undefined || text === '') return (id) => `${id}-demo`;
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error('SIMULATOR_PASSWORDS must be a JSON object of enterpriseId -> password strings');
  }
  const map = new Map(Object.entries(parsed as Record<string, string>));
  return (id) => map.get(id) ?? `${id}-demo`;
}

function backfillHours(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_BACKFILL_HOURS;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`SIMULATOR_BACKFILL_HOURS must be a non-negative number of hours, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger();
  const configPath = env.ENERGY_CONFIG ?? DEMO_CONFIG_PATH;
  const config = loadConfigFile(configPath);
  const mqttUrl = env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  const simulator = new MeterSimulator(
    {
      config,
      mqttUrl,
      passwordFor: passwords(env),
      backfillHours: backfillHours(env.SIMULATOR_BACKFILL_HOURS),
      seedYearToDate: flag(env.SIMULATOR_SEED_YTD, true),
      anomalies: flag(env.SIMULATOR_ANOMALIES, true),
    },
    { logger },
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping the meter simulator');
    setTimeout(() => {
      console.error(`the simulator did not stop within ${STOP_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    simulator.stop().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  logger.info({ config: configPath, mqttUrl, enterprises: config.enterprises.map((e) => e.id) }, 'starting the meter simulator');
  try {
    await simulator.start();
  } catch (err) {
    // Close the gateways that did connect, then report.
    await simulator.stop();
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
});
