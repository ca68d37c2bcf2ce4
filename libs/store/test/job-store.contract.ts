import { JobStatus } from '@aim/contracts';
import { JobStore } from '../src/lib/job-store.port';
import { makeEvent, makeJob, makePipeline } from './job-fixtures';

/** The behaviour every JobStore adapter must have; run it once per adapter. */
export function describeJobStoreContract(name: string, open: () => Promise<JobStore>): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('creates a job with its events and reads both back', async () => {
      const job = makeJob('j1');
      const result = await store.createJob(job, [makeEvent(job, 1)]);
      expect(result.created).toBe(true);
      expect(await store.getJob('j1')).toEqual(job);
      expect(await store.listEvents('j1', 0)).toEqual([makeEvent(job, 1)]);
      expect(await store.hasJob('j1')).toBe(true);
      expect(await store.hasJob('j2')).toBe(false);
    });

    it('answers the existing job when an idempotency key is reused', async () => {
      const first = makeJob('j1', { idempotencyKey: 'k' });
      await store.createJob(first, []);
      const second = await store.createJob(makeJob('j2', { idempotencyKey: 'k' }), []);
      expect(second).toEqual({ created: false, job: first });
      expect(await store.getJob('j2')).toBeUndefined();
      expect(await store.findJobByIdempotencyKey('k')).toEqual(first);
      expect(await store.findJobByIdempotencyKey('other')).toBeUndefined();
    });

    it('saves a job and appends events in order after a sequence number', async () => {
      const job = makeJob('j1');
      await store.createJob(job, [makeEvent(job, 1)]);
      const running = { ...job, status: 'running' as const, seq: 3 };
      await store.saveJob(running, [makeEvent(running, 2), makeEvent(running, 3)]);
      expect((await store.getJob('j1'))?.status).toBe('running');
      expect((await store.listEvents('j1', 1)).map((e) => e.seq)).toEqual([2, 3]);
    });

    it('refuses to save a job that was never created', async () => {
      await expect(store.saveJob(makeJob('ghost'), [])).rejects.toThrow();
    });

    it('takes writes asked for at once, in order, each alone: one that fails takes none of the others with it', async () => {
      const [a, b] = [makeJob('a'), makeJob('b')];
      const writes = [
        store.createJob(a, [makeEvent(a, 1)]),
        store.saveJob(makeJob('ghost'), []),
        store.createJob(b, [makeEvent(b, 1)]),
        store.saveJob({ ...a, status: 'running', seq: 2 }, [makeEvent({ ...a, status: 'running' }, 2)]),
        store.saveJob({ ...a, status: 'succeeded', seq: 3 }, [makeEvent({ ...a, status: 'succeeded' }, 3)]),
        store.deleteJob('b'),
      ];
      const results = await Promise.allSettled(writes);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((await store.getJob('a'))?.status).toBe('succeeded');
      expect((await store.listEvents('a', 0)).map((event) => [event.seq, event.status])).toEqual([[1, 'queued'], [2, 'running'], [3, 'succeeded']]);
      expect(await store.hasJob('b')).toBe(false);
      expect(await store.hasJob('ghost')).toBe(false);
    });

    it('commits many saves of one job asked for at once in the order they were asked, each as the job was then', async () => {
      const job = makeJob('busy');
      const writes: Promise<unknown>[] = [store.createJob(job, [makeEvent(job, 1)])];
      for (let seq = 2; seq <= 40; seq++) {
        job.seq = seq;
        job.status = seq === 40 ? 'succeeded' : 'running';
        job.updatedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
        writes.push(store.saveJob(job, [makeEvent(job, seq)]));
      }
      await Promise.all(writes);
      const stored = await store.getJob('busy');
      expect([stored?.seq, stored?.status]).toEqual([40, 'succeeded']);
      expect((await store.listEvents('busy', 0)).map((event) => event.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect((await store.listEvents('busy', 0)).map((event) => event.status)).toEqual(['queued', ...Array(38).fill('running'), 'succeeded']);
    });

    it('makes one job of two creates with the same idempotency key at once', async () => {
      const [first, second] = await Promise.all([
        store.createJob(makeJob('k1', { idempotencyKey: 'same' }), []),
        store.createJob(makeJob('k2', { idempotencyKey: 'same' }), []),
      ]);
      expect([first.created, second.created, second.job.id]).toEqual([true, false, 'k1']);
      expect(await store.hasJob('k2')).toBe(false);
    });

    it('stores a job as it was when the write was asked for, whatever happens to the object after', async () => {
      const job = makeJob('j1');
      const created = store.createJob(job, []);
      job.status = 'running';
      job.steps[0].items = [{ status: 'pending', attempts: 0, item: 1 }];
      await created;
      const stored = await store.getJob('j1');
      expect([stored?.status, stored?.steps[0].items]).toEqual(['queued', undefined]);
      const saved = store.saveJob(job, []);
      job.status = 'failed';
      await saved;
      expect((await store.getJob('j1'))?.status).toBe('running');
    });

    it('settles the writes asked for before it closes', async () => {
      const created = store.createJob(makeJob('j1'), []);
      await store.close();
      await expect(created).resolves.toMatchObject({ created: true });
    });

    it('lists jobs newest first, filtered and paged', async () => {
      for (let i = 0; i < 5; i++) {
        const status: JobStatus = i % 2 ? 'succeeded' : 'queued';
        await store.createJob(makeJob(`j${i}`, { status, createdAt: `2026-01-01T00:00:0${i}.000Z`, pipelineId: i < 3 ? 'a' : 'b' }), []);
      }
      const page = await store.listJobs({ limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.items.map((j) => j.id)).toEqual(['j3', 'j2']);
      expect((await store.listJobs({ status: 'queued', limit: 10, offset: 0 })).items.map((j) => j.id)).toEqual(['j4', 'j2', 'j0']);
      expect((await store.listJobs({ pipelineId: 'b', limit: 10, offset: 0 })).total).toBe(2);
    });

    it('keeps for-each items, whether a save writes every item or only those its events name', async () => {
      const job = makeJob('fe', { status: 'running' });
      await store.createJob(job, [makeEvent(job, 1)]);
      job.steps[0] = { ...job.steps[0], status: 'running', items: Array.from({ length: 50 }, (_, i) => ({ status: 'pending' as const, attempts: 0, item: { n: i } })) };
      job.seq = 2;
      await store.saveJob(job, [{ ...makeEvent(job, 2), type: 'step.started', step: 'a' }]);
      expect(await store.getJob('fe')).toEqual(job);

      const items = job.steps[0].items!;
      items[3] = { ...items[3], status: 'succeeded', attempts: 1, outputs: { data: { contentType: 'application/json', size: 2, value: 3 } } };
      items[7] = { ...items[7], status: 'running', attempts: 1 };
      job.seq = 4;
      await store.saveJob(job, [
        { ...makeEvent(job, 3), type: 'step.succeeded', step: 'a', item: 3 },
        { ...makeEvent(job, 4), type: 'step.started', step: 'a', item: 7 },
      ]);
      expect(await store.getJob('fe')).toEqual(job);

      // Finishing the job touches every item that was still open: a save without item events writes them all.
      for (const run of items) if (run.status !== 'succeeded') Object.assign(run, { status: 'cancelled' });
      Object.assign(job, { status: 'cancelled', seq: 5, finishedAt: '2026-01-01T00:01:00.000Z' });
      job.steps[0].status = 'cancelled';
      await store.saveJob(job, [{ ...makeEvent(job, 5), type: 'job.cancelled' }]);
      expect(await store.getJob('fe')).toEqual(job);
      expect((await store.listJobs({ limit: 10, offset: 0 })).items).toEqual([job]);
      expect(await store.deleteJob('fe')).toBe(true);
      expect(await store.getJob('fe')).toBeUndefined();
    });

    it('lists only the jobs of an owner when asked, and keeps the owner with the job', async () => {
      await store.createJob(makeJob('mine', { owner: 'key:aa', createdAt: '2026-01-01T00:00:01.000Z' }), []);
      await store.createJob(makeJob('theirs', { owner: 'browser:bb', createdAt: '2026-01-01T00:00:02.000Z' }), []);
      await store.createJob(makeJob('nobody', { createdAt: '2026-01-01T00:00:03.000Z' }), []);
      const mine = await store.listJobs({ owner: 'key:aa', limit: 10, offset: 0 });
      expect(mine).toMatchObject({ total: 1, items: [{ id: 'mine', owner: 'key:aa' }] });
      expect((await store.listJobs({ owner: 'key:none', limit: 10, offset: 0 })).total).toBe(0);
      expect((await store.listJobs({ limit: 10, offset: 0 })).items.map((j) => j.id)).toEqual(['nobody', 'theirs', 'mine']);
    });

    it('counts unfinished jobs, and jobs by status', async () => {
      await store.createJob(makeJob('q', { status: 'queued' }), []);
      await store.createJob(makeJob('r', { status: 'running' }), []);
      await store.createJob(makeJob('s', { status: 'succeeded', finishedAt: '2026-01-01T00:00:00.000Z' }), []);
      expect(await store.countUnfinishedJobs()).toBe(2);
      expect(await store.countJobsByStatus()).toEqual({ queued: 1, running: 1, succeeded: 1, failed: 0, cancelled: 0 });
    });

    it('finds finished jobs older than a time and deletes them with their events', async () => {
      await store.createJob(makeJob('old', { status: 'failed', finishedAt: '2026-01-01T00:00:00.000Z' }), []);
      await store.createJob(makeJob('new', { status: 'failed', finishedAt: '2026-03-01T00:00:00.000Z' }), []);
      const old = await store.getJob('old');
      await store.saveJob({ ...old!, seq: 1 }, [makeEvent(old!, 1)]);
      expect(await store.listJobsFinishedBefore('2026-02-01T00:00:00.000Z', 10)).toEqual(['old']);
      expect(await store.deleteJob('old')).toBe(true);
      expect(await store.deleteJob('old')).toBe(false);
      expect(await store.listEvents('old', 0)).toEqual([]);
      expect(await store.getJob('new')).toBeDefined();
    });

    it('keeps pipelines: upsert, list, delete', async () => {
      const definition = makePipeline('p1');
      const stored = { definition, builtIn: true, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
      await store.savePipeline(stored);
      await store.savePipeline({ ...stored, definition: { ...definition, name: 'renamed' }, updatedAt: '2026-01-02T00:00:00.000Z' });
      expect(await store.getPipeline('p1')).toEqual({
        ...stored,
        definition: { ...definition, name: 'renamed' },
        updatedAt: '2026-01-02T00:00:00.000Z',
      });
      expect((await store.listPipelines()).map((p) => p.definition.id)).toEqual(['p1']);
      expect(await store.deletePipeline('p1')).toBe(true);
      expect(await store.getPipeline('p1')).toBeUndefined();
    });
  });
}
