/** Opens a SQLite database file the way every store here wants it. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export function openSqlite(file: string, schema = '', options: Database.Options = {}): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, options);
  db.pragma('journal_mode = WAL');
  // FULL: a transaction reported as committed survives a power cut, not only a process crash.
  db.pragma('synchronous = FULL');
  if (schema !== '') db.exec(schema);
  return db;
}
