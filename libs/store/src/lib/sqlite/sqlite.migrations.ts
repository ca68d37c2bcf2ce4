import type { Database } from 'better-sqlite3';

/** Each migration runs once, in order, inside a transaction; never edit one that has shipped. */
const MIGRATIONS: { version: number; sql: string; data?: (db: Database) => void }[] = [
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
  {
    // The runs of a for-each step live in rows of their own, so finishing one item writes that item
    // and a small job document, not every item again (1,000 items wrote 1,000 documents of 1,000).
    version: 3,
    sql: `
      CREATE TABLE job_items (
        job_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (job_id, step_id, idx)
      ) WITHOUT ROWID;
    `,
    data: moveItemsToRows,
  },
  {
    // Replicas on one database: a job's holder, the fencing token its claims raise, when the lease runs
    // out (epoch ms; 0: nobody holds it), and a cancel asked of any replica. Kept out of the document,
    // which the holder rewrites.
    version: 4,
    sql: `
      ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
      ALTER TABLE jobs ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN lease_expires_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX jobs_needing_holder ON jobs (lease_expires_at, created_at)
        WHERE status IN ('queued', 'running') OR webhook_status = 'pending';
    `,
  },
];

/** Jobs stored before version 3 keep their items in the document: each item becomes a row. */
function moveItemsToRows(db: Database): void {
  const insert = db.prepare('INSERT INTO job_items (job_id, step_id, idx, doc) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE jobs SET doc = ? WHERE id = ?');
  for (const row of db.prepare(`SELECT id, doc FROM jobs WHERE doc LIKE '%"items":%'`).all() as { id: string; doc: string }[]) {
    const job = JSON.parse(row.doc) as { steps: { id: string; items?: unknown[]; itemCount?: number }[] };
    for (const step of job.steps) {
      if (!step.items) continue;
      step.items.forEach((item, index) => insert.run(row.id, step.id, index, JSON.stringify(item)));
      step.itemCount = step.items.length;
      delete step.items;
    }
    update.run(JSON.stringify(job), row.id);
  }
}

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
      migration.data?.(db);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        new Date().toISOString(),
      );
    })();
    count++;
  }
  return count;
}
