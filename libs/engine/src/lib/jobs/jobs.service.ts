import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { concat, concatMap, defer, filter, from, interval, mergeMap, Observable, startWith, Subject, takeUntil, takeWhile, ReplaySubject, Subscription } from 'rxjs';
import { ArtifactRef, ErrorCode, isTerminalJobStatus, Job, JobEvent, JobListFilter, JobPage, MarketplaceError, own } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';
import { JobStore } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { Caller, mayAccess } from '../http/caller.guard';
import { JobRecorder } from './job-recorder';
import { JobRunner } from './job-runner';

const TERMINAL_EVENTS = new Set(['job.succeeded', 'job.failed', 'job.cancelled']);
/** How often a replica reads the store for a job another replica runs (its events, its end). */
const FOLLOW_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reading, cancelling and deleting jobs; following their events; waiting for their end. */
@Injectable()
export class JobsService implements OnModuleDestroy {
  /**
   * Callers waiting for a job to end (`Prefer: wait`), by job id: one listener on the events for all. A
   * waiter is woken with the ended job (the event comes once its end is stored), or with nothing when its
   * time ran out or its caller went away.
   */
  private readonly endWaiters = new Map<string, Set<(ended?: Job) => void>>();
  private readonly endings: Subscription;
  /** Fires when the replica stops: event streams end (a reader goes on from its last event elsewhere). */
  private readonly stopped = new Subject<void>();

  constructor(
    private readonly store: JobStore,
    private readonly blobs: BlobStore,
    private readonly runner: JobRunner,
    private readonly recorder: JobRecorder,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {
    this.endings = this.recorder.events
      .pipe(filter((event) => TERMINAL_EVENTS.has(event.type)))
      .subscribe((event) => {
        const waiters = this.endWaiters.get(event.jobId);
        if (!waiters) return;
        const ended = this.runner.activeJob(event.jobId);
        waiters.forEach((wake) => wake(ended));
      });
  }

  /** Callers waiting for a job to end right now. */
  get waitingCallers(): number {
    let count = 0;
    for (const waiters of this.endWaiters.values()) count += waiters.size;
    return count;
  }

  onModuleDestroy(): void {
    this.endings.unsubscribe();
    this.stopped.next();
    this.stopped.complete();
  }

  /**
   * The job, when the caller may see it (its owner or an admin). Anyone else is told it does not exist,
   * exactly as for an id that was never used: ids of others' jobs are not confirmed. A running job is a
   * copy: the runner goes on changing its own.
   */
  async get(id: string, caller: Caller): Promise<Job> {
    return this.read(id, caller, (job) => (job === this.runner.activeJob(id) ? structuredClone(job) : job));
  }

  /**
   * `answer` applied to the job as stored, at the moment it is read: a running job from memory once its
   * last change is committed (a change is shown only once it is stored, as it is announced only then), any
   * other from the store. What `answer` keeps must be its own (a string, a copy): a running job changes on.
   */
  async read<T>(id: string, caller: Caller, answer: (job: Job) => T): Promise<T> {
    return this.withStored(id, (job) => {
      if (!job || !mayAccess(caller, job.owner)) {
        throw new MarketplaceError(ErrorCode.JobNotFound, `there is no job "${id}" of yours; it may have been deleted or removed after its retention time`);
      }
      return answer(job);
    });
  }

  /** `answer` applied, in the same step as the read, to the job as stored (undefined when there is none). */
  private async withStored<T>(id: string, answer: (job: Job | undefined) => T): Promise<T> {
    if (this.runner.activeJob(id)) await this.recorder.settled(id);
    return answer(this.runner.activeJob(id) ?? (await this.store.getJob(id)));
  }

  /**
   * `answer` applied to the job once it has ended, or as it is when `waitMs` have passed or `signal`
   * aborts (the caller went away), whichever comes first. An ended job answers at once.
   */
  async waitForEnd<T>(id: string, caller: Caller, waitMs: number, signal: AbortSignal | undefined, answer: (job: Job) => T): Promise<T> {
    const first = await this.read(id, caller, (job) => ({ ended: isTerminalJobStatus(job.status), shown: answer(job) }));
    if (first.ended || waitMs <= 0 || signal?.aborted) return first.shown;
    const waiters = this.endWaiters.get(id) ?? new Set<(ended?: Job) => void>();
    this.endWaiters.set(id, waiters);
    let wake!: (ended?: Job) => void;
    const woken = new Promise<Job | undefined>((resolve) => (wake = resolve));
    const timeUp = () => wake();
    const timer = setTimeout(timeUp, waitMs);
    signal?.addEventListener('abort', timeUp, { once: true });
    waiters.add(wake);
    let ended: Job | undefined;
    try {
      // It may have ended between the read above and the registration.
      const now = this.runner.activeJob(id);
      if (now && !isTerminalJobStatus(now.status)) ended = await woken;
      // Run by another replica: its end is read from the store.
      else if (!now) ended = await this.followToEnd(id, woken);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', timeUp);
      waiters.delete(wake);
      if (waiters.size === 0) this.endWaiters.delete(id);
    }
    // An ended job no longer changes (but for its webhook's state): answered as it ended, without a read.
    return ended ? answer(ended) : this.read(id, caller, answer);
  }

  /** The caller's own jobs; an admin's list has everyone's. */
  async list(filter: Omit<JobListFilter, 'owner'>, caller: Caller): Promise<JobPage> {
    if (caller.admin) return this.store.listJobs(filter);
    if (!caller.owner) return { items: [], total: 0, limit: filter.limit, offset: filter.offset };
    return this.store.listJobs({ ...filter, owner: caller.owner });
  }

  async cancel(id: string, caller: Caller): Promise<Job> {
    await this.get(id, caller);
    const cancelled = await this.runner.cancel(id);
    if (cancelled) return cancelled;
    const job = await this.get(id, caller);
    if (isTerminalJobStatus(job.status)) throw new MarketplaceError(ErrorCode.JobNotCancellable, `job "${id}" is ${job.status} already and cannot be cancelled`);
    // Held by another replica (or by none for a moment): asked through the store; its holder cancels it
    // at its next lease renewal, or whoever claims it next. Answered once it is cancelled, or as it is then.
    await this.store.requestCancel(id);
    const deadline = Date.now() + this.options.leaseMs + 2000;
    while (Date.now() < deadline) {
      await sleep(FOLLOW_MS);
      const now = this.runner.activeJob(id) ? undefined : await this.store.getJob(id);
      if (!now || isTerminalJobStatus(now.status)) break;
    }
    return this.get(id, caller);
  }

  /** Waits, reading the store, until the job (run by another replica) has ended, or `stop` settles first. */
  private async followToEnd(id: string, stop: Promise<Job | undefined>): Promise<Job | undefined> {
    let stopped = false;
    void stop.then(() => (stopped = true));
    while (!stopped) {
      // Claimed by this replica meanwhile: its end wakes `stop`.
      if (this.runner.activeJob(id)) return stop;
      const job = await this.store.getJob(id);
      if (!job || isTerminalJobStatus(job.status)) return job;
      await Promise.race([stop, sleep(FOLLOW_MS)]);
    }
    return undefined;
  }

  async delete(id: string, caller: Caller): Promise<void> {
    const job = await this.get(id, caller);
    if (!isTerminalJobStatus(job.status)) {
      throw new MarketplaceError(ErrorCode.JobNotFinished, `job "${id}" is ${job.status}; cancel it before deleting it`);
    }
    // Files first: a crash in between leaves a job row to sweep again, never files nobody can find.
    await this.blobs.deletePrefix(`jobs/${id}`);
    await this.store.deleteJob(id);
  }

  /** An input's bytes, as submitted. */
  async input(id: string, name: string, caller: Caller): Promise<{ ref: ArtifactRef; data: Buffer }> {
    const job = await this.get(id, caller);
    const ref = own(job.inputs, name);
    if (!ref) throw new MarketplaceError(ErrorCode.NotFound, `job "${id}" has no input "${name}"; it has ${Object.keys(job.inputs).join(', ')}`);
    return { ref, data: ref.blobKey ? await this.blobs.get(ref.blobKey) : Buffer.from(JSON.stringify(ref.value)) };
  }

  /** An output's bytes; a for-each output is a list, picked by `index`. */
  async output(id: string, name: string, caller: Caller, index?: number): Promise<{ ref: ArtifactRef; data: Buffer }> {
    const job = await this.get(id, caller);
    if (job.status !== 'succeeded') {
      throw new MarketplaceError(ErrorCode.OutputNotFound, `job "${id}" is ${job.status}; outputs exist once it has succeeded`);
    }
    const output = own(job.outputs, name);
    if (!output) {
      throw new MarketplaceError(ErrorCode.OutputNotFound, `job "${id}" has no output "${name}"; it has ${Object.keys(job.outputs).join(', ') || 'none'}`);
    }
    let ref: ArtifactRef | undefined;
    if (Array.isArray(output)) {
      ref = index === undefined ? undefined : output[index];
      if (!ref) throw new MarketplaceError(ErrorCode.OutputNotFound, `output "${name}" is a list of ${output.length}; ask for ?index=0 to ${output.length - 1}`);
    } else {
      ref = output;
    }
    const data = ref.blobKey ? await this.blobs.get(ref.blobKey) : Buffer.from(JSON.stringify(ref.value));
    return { ref, data };
  }

  /**
   * Every event of the job after `afterSeq`, in order, then live ones until the job ends. Live events
   * are buffered while the stored ones are read, so none is lost or repeated.
   */
  events(id: string, afterSeq = 0): Observable<JobEvent> {
    return defer(() => {
      const live = new ReplaySubject<JobEvent>();
      const subscription = this.recorder.events.pipe(filter((event) => event.jobId === id)).subscribe(live);
      let last = afterSeq;
      // The caller has checked that the job exists (an unknown one must be a 404 before the stream opens).
      const storedAfter = (seq: number) => defer(() => this.store.listEvents(id, seq)).pipe(mergeMap((events) => from(events)));
      // A job that has ended sends nothing live any more: what is stored is all there is (a reader resuming
      // after the last event of a finished job gets an empty stream that ends, not one that hangs).
      // A job another replica runs is followed in the store, where its events are in order and complete.
      const followed = interval(FOLLOW_MS).pipe(
        startWith(0),
        concatMap(() => storedAfter(last)),
      );
      const rest = defer(() => this.withStored(id, (job) => ({ ended: !job || isTerminalJobStatus(job.status), here: this.runner.activeJob(id) !== undefined }))).pipe(
        mergeMap(({ ended, here }) => (ended ? storedAfter(last) : here ? live : followed)),
      );
      return new Observable<JobEvent>((subscriber) => {
        const inner = concat(storedAfter(afterSeq), rest)
          .pipe(
            filter((event) => event.seq > last),
            takeWhile((event) => !TERMINAL_EVENTS.has(event.type), true),
            takeUntil(this.stopped),
          )
          .subscribe({
            next: (event) => {
              last = event.seq;
              subscriber.next(event);
            },
            error: (error) => subscriber.error(error),
            complete: () => subscriber.complete(),
          });
        return () => {
          inner.unsubscribe();
          subscription.unsubscribe();
        };
      });
    });
  }
}
