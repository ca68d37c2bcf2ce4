import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Job, JobEvent, JobListFilter, JobPage, JobStatus, JobStep, StepRun, storeFault, translatingStoreFaults } from '@aim/contracts';
import { ClaimedJob, CreateJobResult, Fence, JobLease, JobStore, LeaseLostError, LeaseRequest, RenewResult, StoredPipeline } from '../job-store.port';
import { migrate } from './sqlite.migrations';

interface JobRow {
  doc: string;
}

interface ClaimRow extends JobRow {
  id: string;
  created_at: string;
  lease_token: number;
  cancel_requested: number;
}

interface ItemRow {
  step_id: string;
  idx: number;
  doc: string;
}

/** How a for-each step is kept in the job document: its items are rows of `job_items`. */
type StoredStep = Omit<JobStep, 'items'> & { itemCount?: number };

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type WriteResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The embedded store: one SQLite file in WAL mode. Several processes may share it (replicas of the
 * engine): every write transaction takes the write lock when it begins (IMMEDIATE), waiting up to the
 * busy timeout for another process's, and jobs are shared through leases.
 *
 * Job writes are committed in groups: the writes asked for in one turn of the event loop share one
 * transaction, in the order they were asked for, each in a savepoint of its own (one that fails fails
 * alone), and every caller's promise resolves only once its group is committed. A commit is what costs,
 * not a statement: each writes every page it touched to the WAL (the job row, its indexes, its events),
 * and a job's three commits cost about 80 µs each alone, a quarter of that in a group of eight.
 */
export class SqliteJobStore extends JobStore {
  private readonly db: Database.Database;
  private readonly statements;
  private pending: PendingWrite[] = [];
  private readonly inSavepoint: (write: () => unknown) => unknown;
  private readonly commitGroup: Database.Transaction<(writes: PendingWrite[]) => WriteResult[]>;

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
    // Called inside the group's transaction, a better-sqlite3 transaction function is a savepoint.
    this.inSavepoint = this.db.transaction((write: () => unknown) => write());
    this.commitGroup = this.db.transaction((writes: PendingWrite[]) =>
      writes.map(({ write }): WriteResult => {
        try {
          return { ok: true, value: this.inSavepoint(write) };
        } catch (error) {
          // Some errors (a full disk) make SQLite end the whole transaction: then the group fails as one.
          if (!this.db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /** Queues a write for the group committed at the end of this turn of the event loop. */
  private grouped<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const writes = this.pending;
    this.pending = [];
    if (writes.length === 0) return;
    let results: WriteResult[];
    try {
      // IMMEDIATE: a transaction that read first and then wanted to write could fail at once (BUSY)
      // when another process writes; one that begins with the write lock waits for it instead.
      results = this.commitGroup.immediate(writes);
    } catch (error) {
      const fault = storeFault(error);
      for (const write of writes) write.reject(fault);
      return;
    }
    writes.forEach((write, index) => {
      const result = results[index];
      if (result.ok) write.resolve(result.value);
      else write.reject(storeFault(result.error));
    });
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
      updateFencedJob: db.prepare(
        `UPDATE jobs SET status = @status, updated_at = @updatedAt, finished_at = @finishedAt,
         webhook_status = @webhookStatus, doc = @doc WHERE id = @id AND lease_owner = @fenceOwner AND lease_token = @fenceToken`,
      ),
      leaseNew: db.prepare('UPDATE jobs SET lease_owner = ?, lease_token = lease_token + 1, lease_expires_at = ? WHERE id = ? RETURNING lease_token'),
      claim: db.prepare(
        `UPDATE jobs SET lease_owner = @owner, lease_token = lease_token + 1, lease_expires_at = @expiresAt
         WHERE id IN (
           SELECT id FROM jobs WHERE (status IN ('queued', 'running') OR webhook_status = 'pending') AND lease_expires_at < @now
           ORDER BY created_at, id LIMIT @limit
         )
         RETURNING id, created_at, lease_token, cancel_requested, doc`,
      ),
      renew: db.prepare('UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND lease_token = ? RETURNING cancel_requested'),
      release: db.prepare('UPDATE jobs SET lease_owner = NULL, lease_expires_at = 0 WHERE id = ? AND lease_owner = ? AND lease_token = ?'),
      requestCancel: db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?'),
      insertEvent: db.prepare('INSERT INTO job_events (job_id, seq, doc) VALUES (?, ?, ?)'),
      getJob: db.prepare('SELECT doc FROM jobs WHERE id = ?'),
      hasJob: db.prepare('SELECT 1 FROM jobs WHERE id = ?').pluck(),
      getJobByKey: db.prepare('SELECT doc FROM jobs WHERE idempotency_key = ?'),
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
      countUnfinished: db.prepare(`SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')`).pluck(),
      upsertPipeline: db.prepare(
        `INSERT INTO pipelines (id, built_in, created_at, updated_at, doc) VALUES (@id, @builtIn, @createdAt, @updatedAt, @doc)
         ON CONFLICT (id) DO UPDATE SET built_in = @builtIn, updated_at = @updatedAt, doc = @doc`,
      ),
      getPipeline: db.prepare('SELECT id, built_in, created_at, updated_at, doc FROM pipelines WHERE id = ?'),
      listPipelines: db.prepare('SELECT id, built_in, created_at, updated_at, doc FROM pipelines ORDER BY id'),
      deletePipeline: db.prepare('DELETE FROM pipelines WHERE id = ?'),
    };
  }

  /**
   * A job write with everything in it serialised now, as the job is when the write is asked for: the
   * runner goes on changing the object, and the group commits later. The document, its for-each items
   * (all of them, or only those the events name) and its events.
   */
  private prepareJobWrite(job: Job, events: JobEvent[], allItems: boolean) {
    const onlyNamed = !allItems && events.length > 0 && events.every((event) => event.item !== undefined && event.step !== undefined);
    const items: [string, number, string][] = [];
    const add = (step: JobStep | undefined, index: number) => {
      const run = step?.items?.[index];
      if (step && run) items.push([step.id, index, JSON.stringify(run)]);
    };
    if (onlyNamed) for (const event of events) add(job.steps.find((step) => step.id === event.step), event.item!);
    else for (const step of job.steps) step.items?.forEach((_, index) => add(step, index));
    return { row: this.jobParams(job), items, events: events.map((event): [number, string] => [event.seq, JSON.stringify(event)]) };
  }

  private writeItemsAndEvents(jobId: string, write: ReturnType<SqliteJobStore['prepareJobWrite']>): void {
    for (const [stepId, index, doc] of write.items) this.statements.upsertItem.run(jobId, stepId, index, doc);
    for (const [seq, doc] of write.events) this.statements.insertEvent.run(jobId, seq, doc);
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

  async createJob(job: Job, events: JobEvent[], lease?: LeaseRequest): Promise<CreateJobResult> {
    const write = this.prepareJobWrite(job, events, true);
    // The key is looked up in the group, after every write asked for before: two submits with one key make one job.
    return this.grouped((): CreateJobResult => {
      const existing = job.idempotencyKey ? (this.statements.getJobByKey.get(job.idempotencyKey) as JobRow | undefined) : undefined;
      if (existing) return { created: false, job: this.hydrate(existing) };
      this.statements.insertJob.run(write.row);
      this.writeItemsAndEvents(job.id, write);
      if (!lease) return { created: true, job };
      const expiresAt = Date.now() + lease.leaseMs;
      const token = this.statements.leaseNew.pluck().get(lease.owner, expiresAt, job.id) as number;
      return { created: true, job, lease: { owner: lease.owner, token, expiresAt } };
    });
  }

  async saveJob(job: Job, events: JobEvent[], fence?: Fence): Promise<void> {
    const write = this.prepareJobWrite(job, events, false);
    await this.grouped(() => {
      const changes = fence
        ? this.statements.updateFencedJob.run({ ...write.row, fenceOwner: fence.owner, fenceToken: fence.token }).changes
        : this.statements.updateJob.run(write.row).changes;
      if (changes === 0) {
        if (fence && this.statements.hasJob.get(job.id) !== undefined) throw new LeaseLostError(job.id);
        throw new Error(`job ${job.id} does not exist`);
      }
      this.writeItemsAndEvents(job.id, write);
    });
  }

  async claimJobs(owner: string, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    const rows = await this.grouped(() => {
      const now = Date.now();
      return { expiresAt: now + leaseMs, rows: this.statements.claim.all({ owner, expiresAt: now + leaseMs, now, limit }) as ClaimRow[] };
    });
    return rows.rows
      .sort((x, y) => (x.created_at === y.created_at ? (x.id < y.id ? -1 : 1) : x.created_at < y.created_at ? -1 : 1))
      .map((row) => ({
        job: this.hydrate(row),
        lease: { owner, token: row.lease_token, expiresAt: rows.expiresAt } satisfies JobLease,
        cancelRequested: row.cancel_requested === 1,
      }));
  }

  async renewLeases(fences: (Fence & { jobId: string })[], leaseMs: number): Promise<RenewResult> {
    return this.grouped(() => {
      const expiresAt = Date.now() + leaseMs;
      const result: RenewResult = { lost: [], cancelRequested: [] };
      for (const fence of fences) {
        const cancel = this.statements.renew.pluck().get(expiresAt, fence.jobId, fence.owner, fence.token) as number | undefined;
        if (cancel === undefined) result.lost.push(fence.jobId);
        else if (cancel === 1) result.cancelRequested.push(fence.jobId);
      }
      return result;
    });
  }

  async releaseJob(jobId: string, fence: Fence): Promise<void> {
    await this.grouped(() => this.statements.release.run(jobId, fence.owner, fence.token));
  }

  async requestCancel(jobId: string): Promise<boolean> {
    return this.grouped(() => this.statements.requestCancel.run(jobId).changes > 0);
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

  async listEvents(jobId: string, afterSeq: number): Promise<JobEvent[]> {
    return (this.statements.events.all(jobId, afterSeq) as JobRow[]).map((row) => JSON.parse(row.doc));
  }

  async deleteJob(id: string): Promise<boolean> {
    // In the group, after the job's writes asked for before.
    return this.grouped(() => {
      this.statements.deleteEvents.run(id);
      this.statements.deleteItems.run(id);
      return this.statements.deleteJob.run(id).changes > 0;
    });
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

  async countUnfinishedJobs(): Promise<number> {
    return this.statements.countUnfinished.get() as number;
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
    if (!this.db.open) return;
    this.flush(); // writes already asked for are committed, not dropped
    this.db.close();
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
