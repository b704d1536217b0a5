/**
 * Moved to services/energy/meterRegistry.ts (issue 15: one meter model for ingest and the
 * figures). Kept only for test/helpers/config.ts and bench/ingest/hotPaths.ts, which are owned
 * elsewhere; remove once they import the new path.
 */
export { MeterRegistry, type RegisteredMeter } from '../services/energy/meterRegistry';
