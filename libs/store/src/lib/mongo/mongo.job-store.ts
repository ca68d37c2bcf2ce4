import type { Model } from 'mongoose';
import { ErrorCode, Job, JobEvent, JobListFilter, JobPage, JobStatus, MarketplaceError } from '@aim/contracts';
import { ClaimedJob, CreateJobResult, Fence, JobStore, LeaseLostError, LeaseRequest, RenewResult, StoredPipeline } from '../job-store.port';
import { JobEventRecord, JobRecord, PipelineRecord } from './mongo.schemas';

export interface MongoJobStoreOptions {
  /** How long after it finished a job (and each event) is removed by MongoDB itself, a backstop behind the engine's own retention; 0: never. */
  backstopTtlMs: number;
}

const UNFINISHED: JobStatus[] = ['queued', 'running'];

/**
 * A connection or server failure becomes STORE_UNAVAILABLE (retryable): the driver's network and server
 * selection errors, and mongoose's own when an operation waited for a connection that never came.
 * Anything else is left as it is.
 */
export function mongoFault(error: unknown): unknown {
  const { name = '', message = '', errorLabels } = (error ?? {}) as { name?: string; message?: string; errorLabels?: string[] };
  const unreachable =
    /^Mongo(ose)?(Network|ServerSelection|NotConnected|Topology|PoolCleared|WriteConcern)/.test(name) ||
    (name === 'MongooseError' && /buffering timed out/.test(message)) ||
    errorLabels?.includes?.('RetryableWriteError');
  if (!unreachable) return error;
  return new MarketplaceError(ErrorCode.StoreUnavailable, `the store could not be reached (${name}); try again shortly`, { retryable: true, retryAfterSeconds: 5 });
}

/** The port's operations: each answers a lost server as STORE_UNAVAILABLE. */
const OPERATIONS = [
  'createJob', 'saveJob', 'getJob', 'hasJob', 'findJobByIdempotencyKey', 'listJobs', 'listEvents',
  'deleteJob', 'listJobsFinishedBefore', 'countJobsByStatus', 'countUnfinishedJobs', 'claimJobs', 'renewLeases', 'releaseJob', 'requestCancel',
  'savePipeline', 'getPipeline', 'listPipelines', 'deletePipeline',
] as const satisfies readonly (keyof JobStore)[];

const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

/**
 * The JobStore on MongoDB (STORE_DRIVER=mongo), for the split shape: thin, one document per job as
 * the SQLite store keeps it, events in their own collection, leases in the job's fields, every claim
 * and fenced write a single atomic update. The writes of one job run in the order they were asked for
 * (a chain per job); writes of different jobs run side by side. MongoDB outside a replica set has no
 * multi-document transactions: a job is written before its events, so a crash between the two can
 * leave the job ahead of its events, never events of a write that was refused.
 */
export class MongoJobStore extends JobStore {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly jobs: Model<JobRecord>,
    private readonly events: Model<JobEventRecord>,
    private readonly pipelines: Model<PipelineRecord>,
    private readonly options: MongoJobStoreOptions,
  ) {
    super();
    // Faults are translated once, here, for every operation, rather than in each of them.
    for (const name of OPERATIONS) {
      const operation = (this[name] as (...args: unknown[]) => Promise<unknown>).bind(this);
      Object.defineProperty(this, name, { value: (...args: unknown[]) => operation(...args).catch((error: unknown) => Promise.reject(mongoFault(error))) });
    }
  }

  /** Creates the indexes of every collection (the TTL and claim indexes included), once at start. */
  async init(): Promise<void> {
    await Promise.all([this.jobs.syncIndexes(), this.events.syncIndexes(), this.pipelines.syncIndexes()]);
  }

  /** Runs a write of one job after the writes of that job asked for before it. */
  private inOrder<T>(jobId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(jobId) ?? Promise.resolve();
    const next = previous.then(write, write);
    const settled = next.catch(() => undefined);
    this.chains.set(jobId, settled);
    void settled.then(() => {
      if (this.chains.get(jobId) === settled) this.chains.delete(jobId);
    });
    return next;
  }

  private record(job: Job): Omit<JobRecord, 'leaseOwner' | 'leaseToken' | 'leaseExpiresAt' | 'cancelRequested'> {
    const finished = !UNFINISHED.includes(job.status);
    return {
      _id: job.id,
      owner: job.owner ?? null,
      pipelineId: job.pipelineId,
      status: job.status,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      finishedAt: job.finishedAt ?? null,
      ...(job.idempotencyKey ? { idempotencyKey: job.idempotencyKey } : {}),
      webhookStatus: job.webhook?.status ?? null,
      needsHolder: !finished || job.webhook?.status === 'pending',
      doc: JSON.stringify(job),
      expireAt: finished && this.options.backstopTtlMs > 0 ? new Date(Date.parse(job.finishedAt ?? job.updatedAt) + this.options.backstopTtlMs) : null,
    };
  }

  private eventWrites(events: JobEvent[]) {
    const expireAt = this.options.backstopTtlMs > 0 ? (event: JobEvent) => new Date(Date.parse(event.at) + this.options.backstopTtlMs) : () => null;
    // By (jobId, seq): a write tried again after a lost answer replaces what it wrote, never doubles it.
    return events.map((event) => ({
      replaceOne: { filter: { jobId: event.jobId, seq: event.seq }, replacement: { jobId: event.jobId, seq: event.seq, doc: JSON.stringify(event), expireAt: expireAt(event) }, upsert: true },
    }));
  }

  private async writeEvents(events: JobEvent[]): Promise<void> {
    if (events.length) await this.events.bulkWrite(this.eventWrites(events), { ordered: true });
  }

  async createJob(job: Job, events: JobEvent[], lease?: LeaseRequest): Promise<CreateJobResult> {
    const record = this.record(job);
    const written = events.map((event) => ({ ...event }));
    return this.inOrder(job.id, async (): Promise<CreateJobResult> => {
      const expiresAt = lease ? Date.now() + lease.leaseMs : 0;
      try {
        await this.jobs.create({ ...record, leaseOwner: lease?.owner ?? null, leaseToken: lease ? 1 : 0, leaseExpiresAt: expiresAt, cancelRequested: false });
      } catch (error) {
        if (!isDuplicateKey(error) || !job.idempotencyKey) throw error;
        const existing = await this.findJobByIdempotencyKey(job.idempotencyKey);
        if (!existing) throw error;
        return { created: false, job: existing };
      }
      await this.writeEvents(written);
      return lease ? { created: true, job, lease: { owner: lease.owner, token: 1, expiresAt } } : { created: true, job };
    });
  }

  async saveJob(job: Job, events: JobEvent[], fence?: Fence): Promise<void> {
    const record = this.record(job);
    const written = events.map((event) => ({ ...event }));
    await this.inOrder(job.id, async () => {
      const filter = fence ? { _id: job.id, leaseOwner: fence.owner, leaseToken: fence.token } : { _id: job.id };
      const { _id, ...fields } = record;
      const result = await this.jobs.updateOne(filter, { $set: fields });
      if (result.matchedCount === 0) {
        if (fence && (await this.jobs.exists({ _id: job.id }))) throw new LeaseLostError(job.id);
        throw new Error(`job ${job.id} does not exist`);
      }
      await this.writeEvents(written);
    });
  }

  async getJob(id: string): Promise<Job | undefined> {
    const found = await this.jobs.findById(id, { doc: 1 }).lean();
    return found ? (JSON.parse(found.doc) as Job) : undefined;
  }

  async hasJob(id: string): Promise<boolean> {
    return (await this.jobs.exists({ _id: id })) !== null;
  }

  async findJobByIdempotencyKey(key: string): Promise<Job | undefined> {
    const found = await this.jobs.findOne({ idempotencyKey: key }, { doc: 1 }).lean();
    return found ? (JSON.parse(found.doc) as Job) : undefined;
  }

  async listJobs(filter: JobListFilter): Promise<JobPage> {
    const query: Record<string, unknown> = {};
    if (filter.owner !== undefined) query['owner'] = filter.owner;
    if (filter.status) query['status'] = filter.status;
    if (filter.pipelineId) query['pipelineId'] = filter.pipelineId;
    const [total, rows] = await Promise.all([
      this.jobs.countDocuments(query),
      this.jobs.find(query, { doc: 1 }).sort({ createdAt: -1, _id: -1 }).skip(filter.offset).limit(filter.limit).lean(),
    ]);
    return { items: rows.map((row) => JSON.parse(row.doc) as Job), total, limit: filter.limit, offset: filter.offset };
  }

  async listEvents(jobId: string, afterSeq: number): Promise<JobEvent[]> {
    const rows = await this.events.find({ jobId, seq: { $gt: afterSeq } }, { doc: 1 }).sort({ seq: 1 }).lean();
    return rows.map((row) => JSON.parse(row.doc) as JobEvent);
  }

  async deleteJob(id: string): Promise<boolean> {
    return this.inOrder(id, async () => {
      const { deletedCount } = await this.jobs.deleteOne({ _id: id });
      await this.events.deleteMany({ jobId: id });
      return deletedCount > 0;
    });
  }

  async listJobsFinishedBefore(before: string, limit: number): Promise<string[]> {
    const rows = await this.jobs.find({ finishedAt: { $type: 'string', $lt: before } }, { _id: 1 }).sort({ finishedAt: 1 }).limit(limit).lean();
    return rows.map((row) => row._id);
  }

  async countJobsByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const { _id, n } of await this.jobs.aggregate<{ _id: JobStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])) counts[_id] = n;
    return counts;
  }

  async countUnfinishedJobs(): Promise<number> {
    return this.jobs.countDocuments({ status: { $in: UNFINISHED } });
  }

  async claimJobs(owner: string, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    const claimed: ClaimedJob[] = [];
    // One atomic update per job: the lease's expiry is in the filter, so two replicas never both win one.
    while (claimed.length < limit) {
      const now = Date.now();
      const row = await this.jobs
        .findOneAndUpdate(
          { needsHolder: true, leaseExpiresAt: { $lt: now } },
          { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs }, $inc: { leaseToken: 1 } },
          { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after', projection: { doc: 1, leaseToken: 1, leaseExpiresAt: 1, cancelRequested: 1 } },
        )
        .lean();
      if (!row) break;
      claimed.push({ job: JSON.parse(row.doc) as Job, lease: { owner, token: row.leaseToken, expiresAt: row.leaseExpiresAt }, cancelRequested: row.cancelRequested });
    }
    return claimed;
  }

  async renewLeases(fences: (Fence & { jobId: string })[], leaseMs: number): Promise<RenewResult> {
    const expiresAt = Date.now() + leaseMs;
    const results = await Promise.all(
      fences.map((fence) =>
        this.jobs
          .findOneAndUpdate({ _id: fence.jobId, leaseOwner: fence.owner, leaseToken: fence.token }, { $set: { leaseExpiresAt: expiresAt } }, { projection: { cancelRequested: 1 } })
          .lean()
          .then((row) => ({ jobId: fence.jobId, row })),
      ),
    );
    return {
      lost: results.filter(({ row }) => !row).map(({ jobId }) => jobId),
      cancelRequested: results.filter(({ row }) => row?.cancelRequested).map(({ jobId }) => jobId),
    };
  }

  async releaseJob(jobId: string, fence: Fence): Promise<void> {
    await this.inOrder(jobId, () => this.jobs.updateOne({ _id: jobId, leaseOwner: fence.owner, leaseToken: fence.token }, { $set: { leaseOwner: null, leaseExpiresAt: 0 } }));
  }

  async requestCancel(jobId: string): Promise<boolean> {
    const { matchedCount } = await this.jobs.updateOne({ _id: jobId }, { $set: { cancelRequested: true } });
    return matchedCount > 0;
  }

  async savePipeline(pipeline: StoredPipeline): Promise<void> {
    const id = pipeline.definition.id;
    await this.pipelines
      .updateOne(
        { _id: id },
        { $set: { builtIn: pipeline.builtIn, updatedAt: pipeline.updatedAt, doc: JSON.stringify(pipeline.definition) }, $setOnInsert: { createdAt: pipeline.createdAt } },
        { upsert: true },
      );
  }

  async getPipeline(id: string): Promise<StoredPipeline | undefined> {
    const row = await this.pipelines.findById(id).lean();
    return row ? toStoredPipeline(row) : undefined;
  }

  async listPipelines(): Promise<StoredPipeline[]> {
    return (await this.pipelines.find().sort({ _id: 1 }).lean()).map(toStoredPipeline);
  }

  async deletePipeline(id: string): Promise<boolean> {
    return (await this.pipelines.deleteOne({ _id: id })).deletedCount > 0;
  }

  /** Waits for every write asked for; the connection itself belongs to whoever opened it. */
  async close(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }
}

function toStoredPipeline(row: PipelineRecord): StoredPipeline {
  return { definition: JSON.parse(row.doc), builtIn: row.builtIn, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
