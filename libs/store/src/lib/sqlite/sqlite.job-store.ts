import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Job, JobEvent, JobListFilter, JobPage, JobStatus, JobStep, StepRun } from '@aim/contracts';
import { CreateJobResult, JobStore, StoredPipeline } from '../job-store.port';
import { translatingStoreFaults } from '../store-faults';
import { migrate } from './sqlite.migrations';

interface JobRow {
  doc: string;
}

interface ItemRow {
  step_id: string;
  idx: number;
  doc: string;
}

/** How a for-each step is kept in the job document: its items are rows of `job_items`. */
type StoredStep = Omit<JobStep, 'items'> & { itemCount?: number };

/** The embedded store: one SQLite file in WAL mode; better-sqlite3 is synchronous, so every call is atomic. */
export class SqliteJobStore extends JobStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    super();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash; only an OS crash may lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.statements = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      insertJob: db.prepare(
        `INSERT INTO jobs (id, owner, pipeline_id, status, created_at, updated_at, finished_at, idempotency_key, webhook_status, doc)
         VALUES (@id, @owner, @pipelineId, @status, @createdAt, @updatedAt, @finishedAt, @idempotencyKey, @webhookStatus, @doc)`,
      ),
      updateJob: db.prepare(
        `UPDATE jobs SET status = @status, updated_at = @updatedAt, finished_at = @finishedAt,
         webhook_status = @webhookStatus, doc = @doc WHERE id = @id`,
      ),
      insertEvent: db.prepare('INSERT INTO job_events (job_id, seq, doc) VALUES (?, ?, ?)'),
      getJob: db.prepare('SELECT doc FROM jobs WHERE id = ?'),
      hasJob: db.prepare('SELECT 1 FROM jobs WHERE id = ?').pluck(),
      getJobByKey: db.prepare('SELECT doc FROM jobs WHERE idempotency_key = ?'),
      unfinished: db.prepare(`SELECT doc FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at`),
      pendingWebhooks: db.prepare(`SELECT doc FROM jobs WHERE webhook_status = 'pending' ORDER BY finished_at`),
      events: db.prepare('SELECT doc FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq'),
      deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
      deleteEvents: db.prepare('DELETE FROM job_events WHERE job_id = ?'),
      upsertItem: db.prepare(
        `INSERT INTO job_items (job_id, step_id, idx, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_id, step_id, idx) DO UPDATE SET doc = excluded.doc`,
      ),
      items: db.prepare('SELECT step_id, idx, doc FROM job_items WHERE job_id = ? ORDER BY step_id, idx'),
      deleteItems: db.prepare('DELETE FROM job_items WHERE job_id = ?'),
      finishedBefore: db.prepare(
        'SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at LIMIT ?',
      ),
      countByStatus: db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
      upsertPipeline: db.prepare(
        `INSERT INTO pipelines (id, built_in, created_at, updated_at, doc) VALUES (@id, @builtIn, @createdAt, @updatedAt, @doc)
         ON CONFLICT (id) DO UPDATE SET built_in = @builtIn, updated_at = @updatedAt, doc = @doc`,
      ),
      getPipeline: db.prepare('SELECT id, built_in, created_at, updated_at, doc FROM pipelines WHERE id = ?'),
      listPipelines: db.prepare('SELECT id, built_in, created_at, updated_at, doc FROM pipelines ORDER BY id'),
      deletePipeline: db.prepare('DELETE FROM pipelines WHERE id = ?'),
    };
  }

  private readonly insertJobWithEvents = (job: Job, events: JobEvent[]) =>
    this.db.transaction(() => {
      this.statements.insertJob.run(this.jobParams(job));
      this.writeItems(job);
      this.appendEvents(events);
    })();

  private readonly updateJobWithEvents = (job: Job, events: JobEvent[]) =>
    this.db.transaction(() => {
      const { changes } = this.statements.updateJob.run(this.jobParams(job));
      if (changes === 0) throw new Error(`job ${job.id} does not exist`);
      const onlyItems = events.length > 0 && events.every((event) => event.item !== undefined && event.step !== undefined);
      this.writeItems(job, onlyItems ? events.map((event) => [event.step!, event.item!]) : undefined);
      this.appendEvents(events);
    })();

  /** Writes the items of the job's for-each steps: all of them, or only the given (step, index) pairs. */
  private writeItems(job: Job, only?: [string, number][]): void {
    const write = (step: JobStep, index: number) => {
      const run = step.items?.[index];
      if (run) this.statements.upsertItem.run(job.id, step.id, index, JSON.stringify(run));
    };
    if (only) {
      for (const [stepId, index] of only) {
        const step = job.steps.find((s) => s.id === stepId);
        if (step) write(step, index);
      }
      return;
    }
    for (const step of job.steps) step.items?.forEach((_, index) => write(step, index));
  }

  /** A stored document made whole again: for-each items read back from their rows. */
  private hydrate(row: JobRow): Job {
    const job = JSON.parse(row.doc) as Omit<Job, 'steps'> & { steps: StoredStep[] };
    if (!job.steps.some((step) => step.itemCount !== undefined)) return job as Job;
    const items = new Map<string, StepRun[]>();
    for (const item of this.statements.items.all(job.id) as ItemRow[]) {
      const list = items.get(item.step_id) ?? [];
      list[item.idx] = JSON.parse(item.doc);
      items.set(item.step_id, list);
    }
    job.steps = job.steps.map(({ itemCount, ...step }) =>
      itemCount === undefined ? step : { ...step, items: Array.from({ length: itemCount }, (_, index) => items.get(step.id)?.[index]) },
    ) as StoredStep[];
    return job as Job;
  }

  async createJob(job: Job, events: JobEvent[]): Promise<CreateJobResult> {
    if (job.idempotencyKey) {
      const existing = this.statements.getJobByKey.get(job.idempotencyKey) as JobRow | undefined;
      if (existing) return { created: false, job: this.hydrate(existing) };
    }
    translatingStoreFaults(() => this.insertJobWithEvents(job, events));
    return { created: true, job };
  }

  async saveJob(job: Job, events: JobEvent[]): Promise<void> {
    translatingStoreFaults(() => this.updateJobWithEvents(job, events));
  }

  async getJob(id: string): Promise<Job | undefined> {
    const row = this.statements.getJob.get(id) as JobRow | undefined;
    return row ? this.hydrate(row) : undefined;
  }

  async hasJob(id: string): Promise<boolean> {
    return this.statements.hasJob.get(id) !== undefined;
  }

  async findJobByIdempotencyKey(key: string): Promise<Job | undefined> {
    const row = this.statements.getJobByKey.get(key) as JobRow | undefined;
    return row ? this.hydrate(row) : undefined;
  }

  async listJobs(filter: JobListFilter): Promise<JobPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit, offset: filter.offset };
    if (filter.owner !== undefined) {
      where.push('owner = @owner');
      params['owner'] = filter.owner;
    }
    if (filter.status) {
      where.push('status = @status');
      params['status'] = filter.status;
    }
    if (filter.pipelineId) {
      where.push('pipeline_id = @pipelineId');
      params['pipelineId'] = filter.pipelineId;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.db.prepare(`SELECT COUNT(*) FROM jobs ${clause}`).pluck().get(params) as number;
    const rows = this.db
      .prepare(`SELECT doc FROM jobs ${clause} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all(params) as JobRow[];
    return { items: rows.map((row) => this.hydrate(row)), total, limit: filter.limit, offset: filter.offset };
  }

  async listUnfinishedJobs(): Promise<Job[]> {
    return (this.statements.unfinished.all() as JobRow[]).map((row) => this.hydrate(row));
  }

  async listPendingWebhooks(): Promise<Job[]> {
    return (this.statements.pendingWebhooks.all() as JobRow[]).map((row) => this.hydrate(row));
  }

  async listEvents(jobId: string, afterSeq: number): Promise<JobEvent[]> {
    return (this.statements.events.all(jobId, afterSeq) as JobRow[]).map((row) => JSON.parse(row.doc));
  }

  async deleteJob(id: string): Promise<boolean> {
    return translatingStoreFaults(() =>
      this.db.transaction(() => {
        this.statements.deleteEvents.run(id);
        this.statements.deleteItems.run(id);
        return this.statements.deleteJob.run(id).changes > 0;
      })(),
    );
  }

  async listJobsFinishedBefore(before: string, limit: number): Promise<string[]> {
    return this.statements.finishedBefore.pluck().all(before, limit) as string[];
  }

  async countJobsByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of this.statements.countByStatus.all() as { status: JobStatus; n: number }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  async savePipeline(pipeline: StoredPipeline): Promise<void> {
    translatingStoreFaults(() =>
      this.statements.upsertPipeline.run({
        id: pipeline.definition.id,
        builtIn: pipeline.builtIn ? 1 : 0,
        createdAt: pipeline.createdAt,
        updatedAt: pipeline.updatedAt,
        doc: JSON.stringify(pipeline.definition),
      }),
    );
  }

  async getPipeline(id: string): Promise<StoredPipeline | undefined> {
    const row = this.statements.getPipeline.get(id) as PipelineRow | undefined;
    return row ? toStoredPipeline(row) : undefined;
  }

  async listPipelines(): Promise<StoredPipeline[]> {
    return (this.statements.listPipelines.all() as PipelineRow[]).map(toStoredPipeline);
  }

  async deletePipeline(id: string): Promise<boolean> {
    return translatingStoreFaults(() => this.statements.deletePipeline.run(id).changes > 0);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private appendEvents(events: JobEvent[]): void {
    for (const event of events) this.statements.insertEvent.run(event.jobId, event.seq, JSON.stringify(event));
  }

  private jobParams(job: Job) {
    return {
      id: job.id,
      owner: job.owner ?? null,
      pipelineId: job.pipelineId,
      status: job.status,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      finishedAt: job.finishedAt ?? null,
      idempotencyKey: job.idempotencyKey ?? null,
      webhookStatus: job.webhook?.status ?? null,
      doc: JSON.stringify({ ...job, steps: job.steps.map(({ items, ...step }): StoredStep => (items ? { ...step, itemCount: items.length } : step)) }),
    };
  }
}

interface PipelineRow {
  id: string;
  built_in: number;
  created_at: string;
  updated_at: string;
  doc: string;
}

function toStoredPipeline(row: PipelineRow): StoredPipeline {
  return {
    definition: JSON.parse(row.doc),
    builtIn: row.built_in === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
