import type { Database } from 'better-sqlite3';

/** Each migration runs once, in order, inside a transaction; never edit one that has shipped. */
const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        built_in INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        idempotency_key TEXT UNIQUE,
        webhook_status TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX jobs_by_status ON jobs (status, created_at);
      CREATE INDEX jobs_by_pipeline ON jobs (pipeline_id, created_at);
      CREATE INDEX jobs_by_created ON jobs (created_at);
      CREATE INDEX jobs_by_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
      CREATE INDEX jobs_by_webhook ON jobs (webhook_status) WHERE webhook_status = 'pending';
      CREATE TABLE job_events (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Jobs belong to whoever submitted them; older jobs have no owner and are seen by admins only.
    version: 2,
    sql: `
      ALTER TABLE jobs ADD COLUMN owner TEXT;
      CREATE INDEX jobs_by_owner ON jobs (owner, created_at);
    `,
  },
];

export function migrate(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  let count = 0;
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        new Date().toISOString(),
      );
    })();
    count++;
  }
  return count;
}
