/**
 * The state database's schema, version by version (migrations.ts applies them). Version 1 is the
 * schema as the SQLite-only releases left it: on SQLite it is written with IF NOT EXISTS and adds
 * the columns later releases introduced, so a state.db from before versioning is taken over as it
 * is (its rows untouched); on PostgreSQL it creates the same tables with that engine's types.
 * A later change is a new entry at the end, never an edit of an applied one.
 */
import type { Migration } from './migrations';
import type { SqlExecutor } from './sqlExecutor';

/** Columns added to SQLite tables by releases before versioning, for files written before them. */
const LATER_SQLITE_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  quarantine: { source_ref: 'TEXT' },
  meter_baseline: { unit: 'TEXT' },
  meter_event: { pending: 'INTEGER NOT NULL DEFAULT 0', changed_at: 'INTEGER NOT NULL DEFAULT 0' },
  report_snapshot: { reasons: 'TEXT' },
  leases: { token: 'INTEGER NOT NULL DEFAULT 1' },
};

const SQLITE_V1 = [
  `CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
    received_at INTEGER NOT NULL, enterprise TEXT, meter TEXT, client_id TEXT,
    status TEXT NOT NULL DEFAULT 'open', attempts INTEGER NOT NULL DEFAULT 0, replayed_at INTEGER, source_ref TEXT)`,
  'CREATE INDEX IF NOT EXISTS quarantine_by_status ON quarantine (status, id)',
  'CREATE INDEX IF NOT EXISTS quarantine_by_received ON quarantine (received_at)',
  'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  `CREATE TABLE IF NOT EXISTS data_quality_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT NOT NULL,
    ts INTEGER NOT NULL, detail TEXT, recorded_at INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS data_quality_by_enterprise ON data_quality_event (enterprise, ts)',
  'CREATE INDEX IF NOT EXISTS data_quality_by_recorded ON data_quality_event (recorded_at)',
  `CREATE TABLE IF NOT EXISTS alarm (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT,
    severity TEXT NOT NULL, state TEXT NOT NULL, value REAL, threshold REAL, unit TEXT,
    period_from TEXT, period_to TEXT, basis TEXT, message TEXT NOT NULL,
    raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, cleared_at INTEGER, ack_at INTEGER, ack_by TEXT)`,
  "CREATE UNIQUE INDEX IF NOT EXISTS alarm_one_open ON alarm (type, enterprise, IFNULL(meter, '')) WHERE state != 'cleared'",
  'CREATE INDEX IF NOT EXISTS alarm_by_enterprise ON alarm (enterprise, raised_at)',
  'CREATE INDEX IF NOT EXISTS alarm_by_raised ON alarm (raised_at)',
  `CREATE TABLE IF NOT EXISTS alarm_note (
    id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id INTEGER NOT NULL REFERENCES alarm (id),
    kind TEXT NOT NULL, author TEXT NOT NULL, at INTEGER NOT NULL, text TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS alarm_note_by_alarm ON alarm_note (alarm_id, id)',
  `CREATE TABLE IF NOT EXISTS delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL,
    alarm_ids TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, at INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS delivery_by_status ON delivery (status, id)',
  `CREATE TABLE IF NOT EXISTS meter_baseline (
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, kind TEXT NOT NULL, multiplier REAL NOT NULL, rollover REAL,
    first_seen_at INTEGER NOT NULL, unit TEXT, PRIMARY KEY (enterprise, meter))`,
  `CREATE TABLE IF NOT EXISTS meter_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL,
    recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL, retracted_by TEXT, retracted_at INTEGER,
    pending INTEGER NOT NULL DEFAULT 0, changed_at INTEGER NOT NULL DEFAULT 0)`,
  'CREATE INDEX IF NOT EXISTS meter_event_meter ON meter_event (enterprise, meter, at)',
  'CREATE INDEX IF NOT EXISTS meter_event_recorded ON meter_event (recorded_at)',
  'CREATE INDEX IF NOT EXISTS meter_event_retracted ON meter_event (retracted_at)',
  `CREATE TABLE IF NOT EXISTS monthly_statistics (
    enterprise TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL,
    fields TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    PRIMARY KEY (enterprise, month, version)) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS monthly_statistics_recorded ON monthly_statistics (recorded_at)',
  'CREATE TABLE IF NOT EXISTS monthly_statistics_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) WITHOUT ROWID',
  `CREATE TABLE IF NOT EXISTS report_snapshot (
    month TEXT NOT NULL, revision INTEGER NOT NULL, sha256 TEXT NOT NULL, content_hash TEXT NOT NULL, json TEXT NOT NULL,
    created_at INTEGER NOT NULL, note TEXT, reasons TEXT, PRIMARY KEY (month, revision)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS report_mark (
    id INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, kind TEXT NOT NULL, marked_at INTEGER NOT NULL, UNIQUE (month, kind))`,
  'CREATE TABLE IF NOT EXISTS report_building (id INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, started_at INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS report_setting (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID',
  `CREATE TABLE IF NOT EXISTS report_download (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL,
    scope TEXT NOT NULL, month TEXT NOT NULL, revision INTEGER NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL, token INTEGER NOT NULL DEFAULT 1)',
];

/** Indexes on columns that older files only have once LATER_SQLITE_COLUMNS are added. */
const SQLITE_V1_LATE_INDEXES = [
  'CREATE UNIQUE INDEX IF NOT EXISTS quarantine_by_source ON quarantine (source_ref)',
  'CREATE INDEX IF NOT EXISTS meter_event_changed ON meter_event (changed_at)',
  'CREATE INDEX IF NOT EXISTS meter_event_pending ON meter_event (pending) WHERE pending <> 0',
];

const ID = 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
const POSTGRES_V1 = [
  `CREATE TABLE quarantine (
    id ${ID}, topic TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
    received_at BIGINT NOT NULL, enterprise TEXT, meter TEXT, client_id TEXT,
    status TEXT NOT NULL DEFAULT 'open', attempts INTEGER NOT NULL DEFAULT 0, replayed_at BIGINT, source_ref TEXT UNIQUE)`,
  'CREATE INDEX quarantine_by_status ON quarantine (status, id)',
  'CREATE INDEX quarantine_by_received ON quarantine (received_at)',
  `CREATE TABLE data_quality_event (
    id ${ID}, kind TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT NOT NULL,
    ts BIGINT NOT NULL, detail TEXT, recorded_at BIGINT NOT NULL)`,
  'CREATE INDEX data_quality_by_enterprise ON data_quality_event (enterprise, ts)',
  'CREATE INDEX data_quality_by_recorded ON data_quality_event (recorded_at)',
  `CREATE TABLE alarm (
    id ${ID}, type TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT,
    severity TEXT NOT NULL, state TEXT NOT NULL, value DOUBLE PRECISION, threshold DOUBLE PRECISION, unit TEXT,
    period_from TEXT, period_to TEXT, basis TEXT, message TEXT NOT NULL,
    raised_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, cleared_at BIGINT, ack_at BIGINT, ack_by TEXT)`,
  "CREATE UNIQUE INDEX alarm_one_open ON alarm (type, enterprise, COALESCE(meter, '')) WHERE state <> 'cleared'",
  'CREATE INDEX alarm_by_enterprise ON alarm (enterprise, raised_at)',
  'CREATE INDEX alarm_by_raised ON alarm (raised_at)',
  `CREATE TABLE alarm_note (
    id ${ID}, alarm_id BIGINT NOT NULL REFERENCES alarm (id),
    kind TEXT NOT NULL, author TEXT NOT NULL, at BIGINT NOT NULL, text TEXT NOT NULL)`,
  'CREATE INDEX alarm_note_by_alarm ON alarm_note (alarm_id, id)',
  `CREATE TABLE delivery (
    id ${ID}, channel TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL,
    alarm_ids TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, at BIGINT NOT NULL)`,
  'CREATE INDEX delivery_by_status ON delivery (status, id)',
  `CREATE TABLE meter_baseline (
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, kind TEXT NOT NULL, multiplier DOUBLE PRECISION NOT NULL, rollover DOUBLE PRECISION,
    first_seen_at BIGINT NOT NULL, unit TEXT, PRIMARY KEY (enterprise, meter))`,
  `CREATE TABLE meter_event (
    id ${ID},
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, type TEXT NOT NULL, at BIGINT NOT NULL, body TEXT NOT NULL,
    recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL, retracted_by TEXT, retracted_at BIGINT,
    pending INTEGER NOT NULL DEFAULT 0, changed_at BIGINT NOT NULL DEFAULT 0)`,
  'CREATE INDEX meter_event_meter ON meter_event (enterprise, meter, at)',
  'CREATE INDEX meter_event_recorded ON meter_event (recorded_at)',
  'CREATE INDEX meter_event_retracted ON meter_event (retracted_at)',
  'CREATE INDEX meter_event_changed ON meter_event (changed_at)',
  'CREATE INDEX meter_event_pending ON meter_event (pending) WHERE pending <> 0',
  `CREATE TABLE monthly_statistics (
    enterprise TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL,
    fields TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL,
    PRIMARY KEY (enterprise, month, version))`,
  'CREATE INDEX monthly_statistics_recorded ON monthly_statistics (recorded_at)',
  `CREATE TABLE report_snapshot (
    month TEXT NOT NULL, revision INTEGER NOT NULL, sha256 TEXT NOT NULL, content_hash TEXT NOT NULL, json TEXT NOT NULL,
    created_at BIGINT NOT NULL, note TEXT, reasons TEXT, PRIMARY KEY (month, revision))`,
  `CREATE TABLE report_mark (id ${ID}, month TEXT NOT NULL, kind TEXT NOT NULL, marked_at BIGINT NOT NULL, UNIQUE (month, kind))`,
  `CREATE TABLE report_building (id ${ID}, month TEXT NOT NULL, started_at BIGINT NOT NULL)`,
  'CREATE TABLE report_setting (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
  `CREATE TABLE report_download (
    id ${ID}, at BIGINT NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL,
    scope TEXT NOT NULL, month TEXT NOT NULL, revision INTEGER NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL)`,
  // The rules lease: `token` rises with every change of holder (fencing), expiry is on the
  // database's clock so that hosts with skewed clocks agree (services/store/state/lease.ts).
  'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL, token BIGINT NOT NULL DEFAULT 1)',
];

/** SQLite files from before versioning: add the later columns they lack, then carry old outputs over. */
async function upgradeUnversionedSqlite(tx: SqlExecutor): Promise<void> {
  if (tx.dialect !== 'sqlite') return;
  for (const [table, columns] of Object.entries(LATER_SQLITE_COLUMNS)) {
    const present = new Set((await tx.all<{ name: string }>(`PRAGMA table_info(${table})`)).map((c) => c.name));
    for (const [name, definition] of Object.entries(columns))
      if (!present.has(name)) await tx.run(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
  }
  for (const sql of SQLITE_V1_LATE_INDEXES) await tx.run(sql);
  await carryOverLegacyOutputs(tx);
}

/**
 * The oldest releases kept output values in `output_value` (one row per month); they become
 * version 1 of their month, once, unless the month was entered since. The old table is left alone.
 */
async function carryOverLegacyOutputs(tx: SqlExecutor): Promise<void> {
  if (await tx.get("SELECT 1 FROM monthly_statistics_migrations WHERE name = 'output_value'")) return;
  if (await tx.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'output_value'")) {
    const rows = await tx.all<{ enterprise: string; month: string; v: number; who: string; at: number }>(
      'SELECT enterprise, month, value_10k_yuan AS v, entered_by AS who, entered_at AS at FROM output_value',
    );
    for (const r of rows) {
      if (await tx.get('SELECT 1 FROM monthly_statistics WHERE enterprise = ? AND month = ?', [r.enterprise, r.month])) continue;
      await tx.run('INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES (?, ?, 1, ?, ?, ?)', [
        r.enterprise,
        r.month,
        JSON.stringify({ outputValue10kYuan: r.v }),
        r.who,
        r.at,
      ]);
    }
  }
  await tx.run("INSERT INTO monthly_statistics_migrations (name, applied_at) VALUES ('output_value', ?)", [Date.now()]);
}

export const STATE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'state tables', statements: { sqlite: SQLITE_V1, postgres: POSTGRES_V1 }, after: upgradeUnversionedSqlite },
];

/** Every state table, in an order that satisfies foreign keys (copy and backup tools walk it). */
export const STATE_TABLES = [
  'quarantine',
  'data_quality_event',
  'alarm',
  'alarm_note',
  'delivery',
  'meter_baseline',
  'meter_event',
  'monthly_statistics',
  'report_snapshot',
  'report_mark',
  'report_building',
  'report_setting',
  'report_download',
] as const;
