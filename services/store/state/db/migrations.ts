/**
 * Versioned schema migrations for the state database: an ordered list, each applied once, in its
 * own transaction, recorded in `schema_migrations` (version, name, applied_at). A database newer
 * than this code (a later version recorded) is refused rather than written with an older schema.
 */
import { AppError } from '../../../core/errors';
import type { Dialect, SqlExecutor } from './sqlExecutor';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements for each engine, one statement per entry, run in order in one transaction. */
  readonly statements: Readonly<Record<Dialect, readonly string[]>>;
  /** Work beyond plain statements (carrying old data over), in the same transaction. */
  readonly after?: (tx: SqlExecutor) => Promise<void>;
}

export class SchemaTooNewError extends AppError {
  constructor(found: number, known: number) {
    super(
      'state-schema-too-new',
      `the state database is at schema version ${found}, this program knows up to ${known}: run the newer release, or restore a backup taken before the upgrade`,
      { context: { found, known } },
    );
  }
}

/** Applies the migrations not yet recorded, in version order; returns the version reached. */
export async function applyMigrations(db: SqlExecutor, migrations: readonly Migration[]): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`state migrations must be numbered 1..n without gaps: found ${m.version} at position ${i + 1}`);
  });
  // Under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent
  // one (two instances starting together on an empty database: a duplicate-key error on pg_type).
  await db.transaction(
    (tx) => tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)'),
    { lock: 'schema_migrations' },
  );
  const known = ordered.length;
  for (;;) {
    // One migration per transaction, under a lock: two instances starting together on one
    // PostgreSQL apply each version once (the second sees it recorded and moves on).
    const applied = await db.transaction(
      async (tx) => {
        const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
        const current = row?.v ?? 0;
        if (current > known) throw new SchemaTooNewError(current, known);
        const next = ordered[current];
        if (!next) return { done: true, current };
        for (const sql of next.statements[tx.dialect]) await tx.run(sql);
        await next.after?.(tx);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [next.version, next.name, Date.now()]);
        return { done: false, current: next.version };
      },
      { lock: 'schema_migrations' },
    );
    if (applied.done) return applied.current;
  }
}
