import { JobStore, LeaseLostError } from '../src/lib/job-store.port';
import { makeEvent, makeJob } from './job-fixtures';

/** One database, reached through as many store handles as a test opens (each stands for a replica). */
export interface SharedDatabase {
  connect(): Promise<JobStore>;
  /** Closes every handle and removes the database. */
  drop(): Promise<void>;
}

const LEASE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How replicas share jobs through the store: a job has at most one holder at a time, claimed
 * atomically with a lease that its holder renews; a claim raises the job's fencing token, and a write
 * under a lost lease is refused; a dead holder's jobs are claimed by another replica once its lease ran
 * out. Run once per adapter, with two or more handles on one database.
 */
export function describeJobLeaseContract(name: string, openDatabase: () => Promise<SharedDatabase>): void {
  describe(`JobStore leases: ${name}`, () => {
    let database: SharedDatabase;
    let a: JobStore;
    let b: JobStore;

    beforeEach(async () => {
      database = await openDatabase();
      a = await database.connect();
      b = await database.connect();
    });
    afterEach(async () => {
      await database.drop();
    });

    it('a job created with a lease is held by its creator; nobody else can claim it while the lease lasts', async () => {
      const job = makeJob('j1');
      const result = await a.createJob(job, [makeEvent(job, 1)], { owner: 'replica-a', leaseMs: LEASE_MS });
      expect(result.lease).toMatchObject({ owner: 'replica-a', token: 1 });
      expect(result.lease?.expiresAt).toBeGreaterThan(Date.now());
      expect(await b.claimJobs('replica-b', LEASE_MS, 10)).toEqual([]);
    });

    it('claims jobs nobody holds, oldest first, up to the limit, each for one replica only', async () => {
      for (const [id, at] of [['late', '2026-01-01T00:00:03.000Z'], ['early', '2026-01-01T00:00:01.000Z'], ['middle', '2026-01-01T00:00:02.000Z']] as const) {
        await a.createJob(makeJob(id, { createdAt: at }), []);
      }
      const first = await a.claimJobs('replica-a', LEASE_MS, 2);
      expect(first.map(({ job }) => job.id)).toEqual(['early', 'middle']);
      expect(first.map(({ lease }) => lease)).toEqual([expect.objectContaining({ owner: 'replica-a', token: 1 }), expect.objectContaining({ owner: 'replica-a', token: 1 })]);
      const second = await b.claimJobs('replica-b', LEASE_MS, 10);
      expect(second.map(({ job }) => job.id)).toEqual(['late']);
      expect(await b.claimJobs('replica-b', LEASE_MS, 10)).toEqual([]);
    });

    it('claims neither finished jobs nor those whose webhook is delivered, but a finished job whose webhook is pending', async () => {
      await a.createJob(makeJob('done', { status: 'succeeded', finishedAt: '2026-01-01T00:01:00.000Z' }), []);
      await a.createJob(makeJob('delivered', { status: 'failed', finishedAt: '2026-01-01T00:01:00.000Z', webhook: { url: 'https://example.com/h', status: 'delivered', attempts: 1 } }), []);
      await a.createJob(makeJob('to-deliver', { status: 'succeeded', finishedAt: '2026-01-01T00:01:00.000Z', webhook: { url: 'https://example.com/h', status: 'pending', attempts: 0 } }), []);
      expect((await b.claimJobs('replica-b', LEASE_MS, 10)).map(({ job }) => job.id)).toEqual(['to-deliver']);
    });

    it('concurrent claims from two replicas never take one job twice', async () => {
      for (let i = 0; i < 60; i++) await a.createJob(makeJob(`j${String(i).padStart(2, '0')}`), []);
      const rounds = await Promise.all([
        ...Array.from({ length: 6 }, () => a.claimJobs('replica-a', LEASE_MS, 7)),
        ...Array.from({ length: 6 }, () => b.claimJobs('replica-b', LEASE_MS, 7)),
      ]);
      const ids = rounds.flat().map(({ job }) => job.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(60);
    });

    it('a lease that runs out is claimed by another replica, with a higher fencing token', async () => {
      await a.createJob(makeJob('j1'), [], { owner: 'replica-a', leaseMs: 300 });
      expect(await b.claimJobs('replica-b', LEASE_MS, 10)).toEqual([]);
      await sleep(400);
      const [taken] = await b.claimJobs('replica-b', LEASE_MS, 10);
      expect(taken.job.id).toBe('j1');
      expect(taken.lease).toMatchObject({ owner: 'replica-b', token: 2 });
    });

    it('renewing keeps a lease; a lease another replica took is reported lost, and so is a job that is gone', async () => {
      await a.createJob(makeJob('kept'), [], { owner: 'replica-a', leaseMs: 300 });
      await a.createJob(makeJob('taken'), [], { owner: 'replica-a', leaseMs: 300 });
      await a.createJob(makeJob('deleted'), [], { owner: 'replica-a', leaseMs: 300 });
      await sleep(200);
      expect(await a.renewLeases([{ jobId: 'kept', owner: 'replica-a', token: 1 }], 300)).toEqual({ lost: [], cancelRequested: [] });
      await sleep(200);
      const stolen = await b.claimJobs('replica-b', LEASE_MS, 10);
      expect(stolen.map(({ job }) => job.id).sort()).toEqual(['deleted', 'taken']);
      await b.deleteJob('deleted');
      const renewed = await a.renewLeases(
        ['kept', 'taken', 'deleted'].map((jobId) => ({ jobId, owner: 'replica-a', token: 1 })),
        300,
      );
      expect({ lost: renewed.lost.sort(), cancelRequested: renewed.cancelRequested }).toEqual({ lost: ['deleted', 'taken'], cancelRequested: [] });
    });

    it('refuses a write under a lost lease (fencing), and takes the new holder’s', async () => {
      const job = makeJob('j1');
      await a.createJob(job, [makeEvent(job, 1)], { owner: 'replica-a', leaseMs: 200 });
      await sleep(300);
      const [taken] = await b.claimJobs('replica-b', LEASE_MS, 10);
      const late = { ...job, status: 'succeeded' as const, seq: 2 };
      await expect(a.saveJob(late, [makeEvent(late, 2)], { owner: 'replica-a', token: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      const running = { ...job, status: 'running' as const, seq: 2 };
      await b.saveJob(running, [makeEvent(running, 2)], taken.lease);
      expect((await a.getJob('j1'))?.status).toBe('running');
      expect((await a.listEvents('j1', 0)).map((event) => [event.seq, event.status])).toEqual([
        [1, 'queued'],
        [2, 'running'],
      ]);
    });

    it('a write without a fence is not fenced (one process alone), and a fenced write by the holder passes', async () => {
      const job = makeJob('j1');
      const { lease } = await a.createJob(job, [], { owner: 'replica-a', leaseMs: LEASE_MS });
      await a.saveJob({ ...job, status: 'running', seq: 1 }, [], lease);
      await b.saveJob({ ...job, status: 'cancelled', seq: 2 }, []);
      expect((await a.getJob('j1'))?.status).toBe('cancelled');
    });

    it('a released job may be claimed at once; its holder’s later writes are refused', async () => {
      const job = makeJob('j1');
      const { lease } = await a.createJob(job, [], { owner: 'replica-a', leaseMs: LEASE_MS });
      if (!lease) throw new Error('no lease');
      await a.releaseJob('j1', lease);
      const [taken] = await b.claimJobs('replica-b', LEASE_MS, 10);
      expect(taken.lease).toMatchObject({ owner: 'replica-b', token: 2 });
      await expect(a.saveJob({ ...job, seq: 1 }, [], lease)).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('a cancel asked of any replica reaches the holder when it renews, and whoever claims the job next', async () => {
      await a.createJob(makeJob('j1'), [], { owner: 'replica-a', leaseMs: 300 });
      await a.createJob(makeJob('j2'), [], { owner: 'replica-a', leaseMs: 300 });
      expect(await b.requestCancel('j1')).toBe(true);
      expect(await b.requestCancel('ghost')).toBe(false);
      const fences = ['j1', 'j2'].map((jobId) => ({ jobId, owner: 'replica-a', token: 1 }));
      expect(await a.renewLeases(fences, 300)).toEqual({ lost: [], cancelRequested: ['j1'] });
      await sleep(400);
      const claimed = await b.claimJobs('replica-b', LEASE_MS, 10);
      expect(claimed.map(({ job, cancelRequested }) => [job.id, cancelRequested])).toEqual([
        ['j1', true],
        ['j2', false],
      ]);
      // The holder's own writes do not clear the request.
      await b.saveJob({ ...makeJob('j1'), status: 'running', seq: 1 }, [], claimed[0].lease);
      expect(await b.renewLeases([{ jobId: 'j1', ...claimed[0].lease }], LEASE_MS)).toEqual({ lost: [], cancelRequested: ['j1'] });
    });

    it('counts the jobs that are queued or running for every replica alike', async () => {
      await a.createJob(makeJob('q'), []);
      await b.createJob(makeJob('r', { status: 'running' }), []);
      await b.createJob(makeJob('s', { status: 'succeeded', finishedAt: '2026-01-01T00:01:00.000Z' }), []);
      expect(await a.countJobsByStatus()).toMatchObject({ queued: 1, running: 1, succeeded: 1 });
      expect([await a.countUnfinishedJobs(), await b.countUnfinishedJobs()]).toEqual([2, 2]);
    });
  });
}
