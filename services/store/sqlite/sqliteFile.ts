/** Opens a SQLite database file the way every store here wants it. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export function openSqlite(file: string, schema: string): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a transaction reported as committed survives a power cut, not only a process crash.
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return db;
}

/** A component backed by one SQLite file and schema: opened on start, closed on stop. */
export abstract class SqliteBacked {
  private db: Database.Database | undefined;
  /** Prepared once per SQL text: the rule engine asks for alarms thousands of times a cycle. */
  private readonly statements = new Map<string, Database.Statement>();

  protected constructor(
    private readonly file: string,
    private readonly schema: string,
  ) {}

  async start(): Promise<void> {
    this.db = openSqlite(this.file, this.schema);
  }

  async stop(): Promise<void> {
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }

  /** The file is open (health checks). */
  get healthy(): boolean {
    return this.db?.open === true;
  }

  protected conn(): Database.Database {
    if (!this.db) throw new Error(`${this.constructor.name} used before start()`);
    return this.db;
  }

  /**
   * Adds the columns a later version introduced to a table of an older database file (name ->
   * column definition, e.g. `reasons TEXT`); columns already there are left alone.
   */
  protected addMissingColumns(table: string, columns: Readonly<Record<string, string>>): void {
    const db = this.conn();
    const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    for (const [name, definition] of Object.entries(columns))
      if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
  }

  /** A prepared statement for `sql`, prepared on first use and reused until stop(). */
  protected statement(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.conn().prepare(sql)));
    return st;
  }
}
