/**
 * influxdb-client-js logs through one process-global logger (console by default), set by its
 * setLogger(). A global belongs to the process, not to one store (the last store constructed used
 * to win, and a store had a side effect outside itself), so it is set once where the process is
 * composed (services/app.ts). The adapter logs every failed write attempt itself, with context
 * (influxPointWriter.ts), so the client's own messages only go to debug.
 */
import { setLogger } from '@influxdata/influxdb-client';
import type { Logger } from '../../core/log';

export function routeInfluxClientLogs(logger: Logger): void {
  setLogger({ error: (message, err: unknown) => logger.debug({ err }, message), warn: (message, err: unknown) => logger.debug({ err }, message) });
}
