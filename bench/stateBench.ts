/**
 * `npm run bench:state`: the state database's hot paths on SQLite (the default) and PostgreSQL
 * (started here, as the tests do). Not a test: it prints figures and asserts nothing.
 *
 * - A district's alarm cycle: AlarmManager.apply with N conditions (one per meter of 300 x 20),
 *   the first raising every alarm, then steady ones with nothing changed, then one clearing all;
 *   each is one transaction, as the rule engine runs it.
 * - The rule engine's per-meter lookups: N `alarms.open()` calls one after another.
 * - Ingest refusals: quarantining 1,000 messages in batches of 100 (one transaction each).
 *
 *   BENCH_CONDITIONS (6000)  BENCH_RUNS (3)  BENCH_PG=0 to skip PostgreSQL
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlarmManager } from '../alerts/alarmManager';
import type { Condition } from '../alerts/conditions';
import { silentLogger } from '../services/core/log';
import { AlarmStore } from '../services/store/state/alarmStore';
import { PostgresStateDb } from '../services/store/state/db/postgresStateDb';
import type { StateDb } from '../services/store/state/db/sqlExecutor';
import { SqliteStateDb } from '../services/store/state/db/sqliteStateDb';
import { StateStore } from '../services/store/state/stateStore';
import { startPostgres } from '../test/helpers/postgres';

const N = Number(process.env.BENCH_CONDITIONS ?? 6000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

const condition = (i: number, severity: Condition['severity']): Condition => ({
  type: 'silence',
  enterprise: `e${String(Math.floor(i / 20)).padStart(3, '0')}`,
  meter: `m${i % 20}`,
  severity,
  value: 3600,
  threshold: 1800,
  unit: 's',
  message: `meter ${i} silent`,
});

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(engine: string, db: StateDb): Promise<Record<string, number | string>[]> {
  const alarms = new AlarmStore(db);
  const manager = new AlarmManager({ alarms, sinks: [], logger: silentLogger() });
  const raising = Array.from({ length: N }, (_, i) => condition(i, 'warning'));
  const clearing = Array.from({ length: N }, (_, i) => condition(i, null));
  const first = await timed(() => manager.apply(raising, 1));
  const steady: number[] = [];
  for (let r = 0; r < RUNS; r++) steady.push(await timed(() => manager.apply(raising, 2 + r)));
  const lookups: number[] = [];
  for (let r = 0; r < RUNS; r++)
    lookups.push(
      await timed(async () => {
        for (let i = 0; i < N; i++) await alarms.open('silence', `e${String(Math.floor(i / 20)).padStart(3, '0')}`, `m${i % 20}`);
      }),
    );
  const cleared = await timed(() => manager.apply(clearing, 100));
  const state = new StateStore(db);
  const quarantine = await timed(async () => {
    for (let b = 0; b < 10; b++)
      await state.quarantine(
        Array.from({ length: 100 }, (_, k) => ({
          topic: 'energy/e000/m0',
          payload: '{"ts":1,"value":"x"}',
          reason: 'bad-shape' as const,
          detail: 'value is not a number',
          receivedAt: 1,
          sourceRef: `bench:${b}:${k}`,
        })),
      );
  });
  const row = (measureName: string, ms: number) => ({ engine, measure: measureName, 'median ms': Math.round(ms * 10) / 10 });
  return [
    row(`alarm cycle, first: raises ${N}`, first),
    row(`alarm cycle, steady (${N} conditions, nothing changed)`, median(steady)),
    row(`alarms.open() x ${N}, one after another`, median(lookups)),
    row(`alarm cycle clearing ${N}`, cleared),
    row('quarantine 1,000 messages in batches of 100', quarantine),
  ];
}

async function main(): Promise<void> {
  const rows: Record<string, number | string>[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'state-bench-'));
  try {
    const sqlite = new SqliteStateDb(path.join(dir, 'state.db'));
    await sqlite.start();
    rows.push(...(await measure('sqlite', sqlite)));
    await sqlite.stop();
    if (process.env.BENCH_PG !== '0') {
      const server = await startPostgres();
      if (server) {
        const pg = new PostgresStateDb(await server.createDatabase('state_bench'));
        await pg.start();
        rows.push(...(await measure('postgres', pg)));
        await pg.stop();
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
}

void main();
