/** Picks the state database: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. */
import path from 'node:path';
import type { Logger } from '../../../core/log';
import { PostgresStateDb } from './postgresStateDb';
import type { StateDb } from './sqlExecutor';
import { SqliteStateDb } from './sqliteStateDb';

export function openStateDb(where: { readonly databaseUrl?: string; readonly dataDir: string }, logger?: Logger): StateDb {
  return where.databaseUrl !== undefined
    ? new PostgresStateDb(where.databaseUrl, undefined, { ...(logger && { logger }) })
    : new SqliteStateDb(path.join(where.dataDir, 'state.db'));
}
