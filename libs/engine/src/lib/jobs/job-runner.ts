import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  ArtifactRef,
  ErrorCode,
  findTask,
  isTerminalJobStatus,
  isStoreFault,
  isTerminalStepStatus,
  Job,
  JobStatus,
  JobStep,
  MarketplaceError,
  ParamsValidator,
  parseReference,
  StepRun,
  TaskInvoker,
  TaskRequest,
  WireError,
} from '@aim/contracts';
import { ClaimedJob, JobStore, LeaseLostError } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { EngineMetrics } from '../observability/engine.metrics';
import { stepDependencies } from '../pipelines/pipeline-graph';
import { PipelineExpressions } from '../pipelines/pipeline-expressions';
import { ServiceRegistry } from '../registry/service-registry';
import { expressionContext, resolveReference } from './job-context';
import { EventSpec, JobRecorder } from './job-recorder';
import { ServiceSlots } from './service-slots';
import { checkedStepOutputs } from './step-outputs';
import { WebhookSender } from './webhook.sender';

interface ActiveJob {
  job: Job;
  dependencies: Map<string, Set<string>>;
  inFlight: Map<string, AbortController>;
  /** One timer per run waiting for its retry time. */
  wakeups: Map<string, NodeJS.Timeout>;
  pumping: boolean;
  again: boolean;
}

const runKey = (step: JobStep, index?: number) => (index === undefined ? step.id : `${step.id}#${index}`);

/**
 * Moves jobs forward: starts every step whose inputs are ready (independent steps in parallel),
 * evaluates conditions and for-each lists, retries retryable failures with backoff, and finishes the
 * job. Every change is written through the JobRecorder before it is announced.
 *
 * Replicas share the store: this one runs the jobs it holds a lease on (those submitted to it, and those
 * it claims: new ones nobody holds, and those of a replica whose lease ran out), renews the leases every
 * third of their length, drops a job whose lease another replica took, and gives every job up when it
 * stops.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly active = new Map<string, ActiveJob>();
  /** Jobs dropped after a failed store write, waiting to go on from their stored state. */
  private readonly reloads = new Map<string, NodeJS.Timeout>();
  private readonly reloadAttempts = new Map<string, number>();
  private readonly loops: NodeJS.Timeout[] = [];
  private claiming = false;
  private renewing = false;
  private stopping = false;
  /** Settles when the first claim (the unfinished jobs of a previous process among them) is done. */
  resumed: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly store: JobStore,
    private readonly recorder: JobRecorder,
    private readonly invoker: TaskInvoker,
    private readonly registry: ServiceRegistry,
    private readonly slots: ServiceSlots,
    private readonly expressions: PipelineExpressions,
    private readonly params: ParamsValidator,
    private readonly webhooks: WebhookSender,
    private readonly metrics: EngineMetrics,
  ) {}

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Claims the jobs that need a holder, once the server is up (queued behind the start-up, so a job that
   * misbehaves can never keep the product from answering), then again and again; renews what it holds.
   */
  onApplicationBootstrap(): void {
    this.resumed = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.claimRound());
    const every = Math.max(100, Math.floor(this.options.leaseMs / 3));
    for (const round of [() => this.claimRound(), () => this.renewRound()]) {
      const timer = setInterval(() => void round(), every);
      timer.unref();
      this.loops.push(timer);
    }
  }

  /** Stops moving jobs and gives them all up: runs in flight stay `running` in the store; whoever claims the job next tries them again. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.loops.forEach(clearInterval);
    this.reloads.forEach(clearTimeout);
    this.reloads.clear();
    for (const active of this.active.values()) {
      active.wakeups.forEach(clearTimeout);
      active.inFlight.forEach((controller) => controller.abort());
    }
    this.active.clear();
    this.webhooks.stop();
    await this.recorder.releaseAll();
  }

  /** Takes jobs nobody holds, as many as this replica has room for. */
  private async claimRound(): Promise<void> {
    const room = this.options.maxActiveJobs - this.active.size;
    if (this.stopping || this.claiming || room <= 0) return;
    this.claiming = true;
    try {
      const claimed = await this.store.claimJobs(this.options.replicaId, this.options.leaseMs, Math.min(room, 100));
      for (const claim of claimed) await this.adopt(claim);
      if (claimed.length) this.logger.log(`took over ${claimed.length} job(s) nobody held`);
    } catch (error) {
      this.logger.warn(`jobs could not be claimed, trying again shortly: ${(error as Error).message}`);
    } finally {
      this.claiming = false;
    }
  }

  private async adopt({ job, lease, cancelRequested }: ClaimedJob): Promise<void> {
    if (this.stopping) return this.recorder.release(job.id);
    this.recorder.hold(job.id, lease);
    // Finished, with its webhook still to deliver.
    if (isTerminalJobStatus(job.status)) return this.webhooks.deliver(job);
    await this.resume(job);
    if (cancelRequested) await this.cancel(job.id).catch((error: unknown) => this.logger.warn(`job ${job.id} could not be cancelled: ${(error as Error).message}`));
  }

  /** Extends the leases held; drops the jobs whose lease another replica took; cancels those a cancel was asked for. */
  private async renewRound(): Promise<void> {
    const held = this.recorder.held();
    if (this.stopping || this.renewing || held.length === 0) return;
    this.renewing = true;
    try {
      const { lost, cancelRequested } = await this.store.renewLeases(held, this.options.leaseMs);
      for (const id of lost) this.lose(id);
      for (const id of cancelRequested) {
        if (this.active.has(id)) await this.cancel(id).catch((error: unknown) => this.logger.warn(`job ${id} could not be cancelled: ${(error as Error).message}`));
      }
    } catch (error) {
      this.logger.warn(`leases could not be renewed (another replica takes the jobs over if this lasts): ${(error as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }

  /** Another replica holds the job now: it is let go here without a write. */
  private lose(id: string): void {
    this.recorder.forget(id);
    const active = this.active.get(id);
    if (active) {
      this.logger.warn(`job ${id} is held by another replica now; it goes on there`);
      this.drop(active);
    }
    const reload = this.reloads.get(id);
    if (reload) clearTimeout(reload);
    this.reloads.delete(id);
    this.reloadAttempts.delete(id);
  }

  /** Goes on with a job from its stored state; runs that were in flight are tried again. */
  private async resume(job: Job): Promise<void> {
    if (this.active.has(job.id) || this.stopping) return;
    const interrupted: EventSpec[] = [];
    for (const step of job.steps) {
      for (const [run, index] of this.runsOf(step)) {
        if (run.status !== 'running') continue;
        run.status = 'pending';
        run.error = { code: ErrorCode.ServiceUnavailable, message: 'the replica running this attempt stopped', retryable: true };
        interrupted.push({ type: 'step.retrying', step: step.id, item: index, attempt: run.attempts, error: run.error });
      }
    }
    try {
      if (interrupted.length) await this.recorder.commit(job, interrupted);
    } catch (error) {
      if (error instanceof LeaseLostError) return this.lose(job.id);
      if (!isStoreFault(error)) throw error;
      this.reloadLater(job.id, error);
      return;
    }
    this.start(job);
  }

  start(job: Job): void {
    const active: ActiveJob = {
      job,
      dependencies: stepDependencies(job.pipeline, this.expressions),
      inFlight: new Map(),
      wakeups: new Map(),
      pumping: false,
      again: false,
    };
    this.active.set(job.id, active);
    void this.pump(active);
  }

  /** Answers the live copy of an active job, so readers never see an older state than the store. */
  activeJob(id: string): Job | undefined {
    return this.active.get(id)?.job;
  }

  async cancel(id: string): Promise<Job | undefined> {
    const active = this.active.get(id);
    if (!active) return undefined;
    await this.finish(active, 'cancelled', { code: ErrorCode.Cancelled, message: 'the job was cancelled', retryable: false });
    return active.job;
  }

  private async pump(active: ActiveJob): Promise<void> {
    if (active.pumping) {
      active.again = true;
      return;
    }
    active.pumping = true;
    try {
      do {
        active.again = false;
        await this.advance(active);
      } while (active.again && !this.stopping);
    } catch (error) {
      await this.onEngineFault(active, error);
    } finally {
      active.pumping = false;
    }
  }

  private isLive(active: ActiveJob): boolean {
    return !this.stopping && this.active.get(active.job.id) === active;
  }

  /**
   * The engine itself failed while moving a job. A failed store write leaves the copy in memory ahead of
   * the stored one: the copy is dropped and the job goes on later from what was stored. Any other fault
   * fails the job, so that it never stays running.
   */
  private async onEngineFault(active: ActiveJob, error: unknown): Promise<void> {
    if (error instanceof LeaseLostError) return this.lose(active.job.id);
    if (!isStoreFault(error)) {
      this.logger.error(`job ${active.job.id} could not advance: ${(error as Error).stack ?? error}`);
      try {
        await this.finish(active, 'failed', { code: ErrorCode.Internal, message: `the engine failed: ${(error as Error).message}`, retryable: false });
        return;
      } catch (failure) {
        if (failure instanceof LeaseLostError) return this.lose(active.job.id);
        if (!isStoreFault(failure)) return this.logger.error(`job ${active.job.id} could not be failed: ${failure}`);
        error = failure;
      }
    }
    this.drop(active);
    this.reloadLater(active.job.id, error);
  }

  private drop(active: ActiveJob): void {
    if (this.active.get(active.job.id) === active) this.active.delete(active.job.id);
    active.wakeups.forEach(clearTimeout);
    active.inFlight.forEach((controller) => controller.abort());
  }

  private reloadLater(id: string, cause: unknown): void {
    if (this.stopping || this.reloads.has(id)) return;
    const attempt = (this.reloadAttempts.get(id) ?? 0) + 1;
    this.reloadAttempts.set(id, attempt);
    const delay = Math.min(60_000, this.options.retryBaseDelayMs * 2 ** Math.min(attempt, 10));
    this.logger.warn(`job ${id}: ${(cause as Error).message}; it goes on from its stored state in ${Math.round(delay)} ms`);
    const timer = setTimeout(() => {
      this.reloads.delete(id);
      void this.reload(id);
    }, delay);
    timer.unref();
    this.reloads.set(id, timer);
  }

  private async reload(id: string): Promise<void> {
    if (this.active.has(id) || this.stopping) return;
    try {
      const job = await this.store.getJob(id);
      if (job && !isTerminalJobStatus(job.status)) await this.resume(job);
      // Ended after all (its last write was stored before it failed to answer), or deleted: nothing left here.
      else if (!job?.webhook || job.webhook.status !== 'pending') await this.recorder.release(id);
      else this.webhooks.deliver(job);
      if (!this.reloads.has(id)) this.reloadAttempts.delete(id);
    } catch (error) {
      this.reloadLater(id, error);
    }
  }

  private async advance(active: ActiveJob): Promise<void> {
    const { job } = active;
    if (isTerminalJobStatus(job.status) || !this.isLive(active)) return;
    for (const step of job.steps) {
      if (isTerminalJobStatus(job.status)) return;
      const firstTry = step.status === 'pending' && !step.items && step.attempts === 0 && !active.inFlight.has(step.id);
      if (firstTry) {
        const ready = await this.prepare(active, step);
        if (!ready) continue;
      }
      for (const [run, index] of this.runsOf(step)) {
        const key = runKey(step, index);
        if (run.status !== 'pending' || active.inFlight.has(key)) continue;
        const wait = run.retryAt ? Date.parse(run.retryAt) - Date.now() : 0;
        if (wait <= 0) void this.dispatch(active, step, index).catch((error) => this.onEngineFault(active, error));
        else this.wakeUpLater(active, key, wait);
      }
    }
    if (job.steps.every((step) => isTerminalStepStatus(step.status)) && !isTerminalJobStatus(job.status)) {
      // Every step ended: the job succeeds only when none of them failed or was cancelled.
      const broken = job.steps.find((step) => step.status === 'failed' || step.status === 'cancelled');
      if (broken) {
        const error = broken.error ?? { code: ErrorCode.Internal, message: `step "${broken.id}" is ${broken.status}`, retryable: false };
        await this.finish(active, 'failed', { ...error, retryable: false });
      } else {
        await this.finish(active, 'succeeded');
      }
    }
  }

  /** Decides whether a pending step can start: dependencies done, condition true, for-each expanded. */
  private async prepare(active: ActiveJob, step: JobStep): Promise<boolean> {
    const { job } = active;
    const definition = job.pipeline.steps.find((s) => s.id === step.id)!;
    const dependencies = [...(active.dependencies.get(step.id) ?? [])].map((id) => job.steps.find((s) => s.id === id)!);
    if (!dependencies.every((dependency) => isTerminalStepStatus(dependency.status))) return false;
    if (dependencies.some((dependency) => dependency.status === 'failed' || dependency.status === 'cancelled')) return false;

    const skippedInput = Object.values(definition.inputs)
      .map((reference) => parseReference(reference)?.step)
      .find((id) => id && job.steps.find((s) => s.id === id)?.status === 'skipped');
    try {
      const skip = skippedInput !== undefined || (definition.when !== undefined && !(await this.expressions.evaluate(definition.when, expressionContext(job))));
      if (skip) {
        step.status = 'skipped';
        step.finishedAt = new Date().toISOString();
        await this.commit(job, [{ type: 'step.skipped', step: step.id }]);
        return false;
      }
      if (definition.forEach !== undefined) {
        const list = (await this.expressions.evaluate(definition.forEach, expressionContext(job))) ?? [];
        if (!Array.isArray(list)) {
          throw new MarketplaceError(ErrorCode.InvalidParameters, `forEach of step "${step.id}" gave ${typeof list}, not a list`);
        }
        if (list.length > this.options.maxForEachItems) {
          throw new MarketplaceError(
            ErrorCode.ExpressionLimit,
            `forEach of step "${step.id}" gave ${list.length} items; at most ${this.options.maxForEachItems} are allowed (MAX_FOREACH_ITEMS)`,
          );
        }
        const now = new Date().toISOString();
        step.items = list.map((item) => ({ status: 'pending', attempts: 0, item }));
        step.status = list.length ? 'running' : 'succeeded';
        step.startedAt = now;
        if (!list.length) step.finishedAt = now;
        await this.commit(job, [{ type: list.length ? 'step.started' : 'step.succeeded', step: step.id }]);
      }
      return true;
    } catch (error) {
      if (isStoreFault(error)) throw error;
      await this.failStep(active, step, step, undefined, MarketplaceError.from(error, ErrorCode.InvalidParameters));
      return false;
    }
  }

  private async dispatch(active: ActiveJob, step: JobStep, index?: number): Promise<void> {
    const { job } = active;
    const run: StepRun = index === undefined ? step : step.items![index];
    const controller = new AbortController();
    const key = runKey(step, index);
    active.inFlight.set(key, controller);
    let release: (() => void) | undefined;
    try {
      release = await this.slots.acquire(step.service, job.id, controller.signal);
      if (!this.isLive(active) || isTerminalJobStatus(job.status)) return;
      const now = new Date().toISOString();
      run.status = 'running';
      run.attempts++;
      run.startedAt = now;
      run.retryAt = undefined;
      if (step.status === 'pending') {
        step.status = 'running';
        step.startedAt = now;
      }
      await this.commit(job, [{ type: 'step.started', step: step.id, item: index, attempt: run.attempts }]);
      const started = performance.now();
      const request = await this.request(job, step, index);
      const timeoutMs = job.pipeline.steps.find((s) => s.id === step.id)?.timeoutMs ?? this.options.stepTimeoutMs;
      const result = await this.invoker.invoke(request, { signal: controller.signal, timeoutMs });
      const outputs = checkedStepOutputs(request, result.outputs);
      if (!this.isLive(active) || isTerminalJobStatus(job.status)) return;
      this.metrics.stepDuration.observe({ service: step.service, task: step.task }, (performance.now() - started) / 1000);
      run.status = 'succeeded';
      run.finishedAt = new Date().toISOString();
      run.outputs = outputs;
      run.instanceId = result.instanceId;
      run.error = undefined;
      if (step.items && step.items.every((item) => item.status === 'succeeded')) {
        step.status = 'succeeded';
        step.finishedAt = run.finishedAt;
      }
      const succeeded: EventSpec = { type: 'step.succeeded', step: step.id, item: index, attempt: run.attempts };
      // The last step of a job ends the job in the same write.
      if (job.steps.every((other) => other.status === 'succeeded' || other.status === 'skipped')) await this.finish(active, 'succeeded', undefined, [succeeded]);
      else await this.commit(job, [succeeded]);
    } catch (error) {
      if (!this.isLive(active) || isTerminalJobStatus(job.status)) return;
      // The engine's own writes failing is not the step's fault: the job goes on from its stored state.
      if (isStoreFault(error)) return this.onEngineFault(active, error);
      if (!release) run.attempts++;
      await this.onRunFailed(active, step, run, index, MarketplaceError.from(error));
    } finally {
      release?.();
      active.inFlight.delete(key);
      if (this.isLive(active)) void this.pump(active);
    }
  }

  private async onRunFailed(active: ActiveJob, step: JobStep, run: StepRun, index: number | undefined, error: MarketplaceError): Promise<void> {
    const maxAttempts = active.job.pipeline.steps.find((s) => s.id === step.id)?.maxAttempts ?? this.options.stepMaxAttempts;
    if (error.retryable && run.attempts < maxAttempts) {
      const delay = this.options.retryBaseDelayMs * 2 ** (run.attempts - 1) * (0.8 + Math.random() * 0.4);
      run.status = 'pending';
      run.retryAt = new Date(Date.now() + delay).toISOString();
      run.error = error.toWire();
      await this.commit(active.job, [{ type: 'step.retrying', step: step.id, item: index, attempt: run.attempts, error: run.error }]);
      return;
    }
    await this.failStep(active, step, run, index, error);
  }

  private async failStep(active: ActiveJob, step: JobStep, run: StepRun, index: number | undefined, error: MarketplaceError): Promise<void> {
    const now = new Date().toISOString();
    run.status = 'failed';
    run.error = error.toWire();
    run.finishedAt = now;
    step.status = 'failed';
    step.finishedAt = now;
    step.error ??= run.error;
    const where = index === undefined ? `step "${step.id}"` : `step "${step.id}" (item ${index})`;
    const attempts = run.attempts > 1 ? ` after ${run.attempts} attempts` : '';
    const failed: EventSpec = { type: 'step.failed', step: step.id, item: index, attempt: run.attempts, error: run.error };
    await this.finish(active, 'failed', { code: error.code, message: `${where} failed${attempts}: ${error.message}`, retryable: false, problems: error.problems }, [failed]);
  }

  /** Ends the job; `before` are the events of the change that ended it, written in the same commit. */
  private async finish(active: ActiveJob, status: JobStatus, error?: WireError, before: EventSpec[] = []): Promise<void> {
    const { job } = active;
    if (isTerminalJobStatus(job.status)) return;
    const now = new Date().toISOString();
    // A job that ends before any step ran (every step skipped, or failed in its condition) still started;
    // one cancelled while queued never did.
    if (job.status === 'queued' && status !== 'cancelled') {
      job.startedAt = now;
      before = [{ type: 'job.started' }, ...before];
    }
    job.status = status;
    job.finishedAt = now;
    job.error = error;
    for (const step of job.steps) {
      for (const [run] of this.runsOf(step)) {
        if (!isTerminalStepStatus(run.status)) Object.assign(run, { status: 'cancelled', finishedAt: now, retryAt: undefined });
      }
      if (!isTerminalStepStatus(step.status)) Object.assign(step, { status: 'cancelled', finishedAt: now });
    }
    if (status === 'succeeded') job.outputs = this.jobOutputs(job);
    if (job.webhook) job.webhook.status = 'pending';
    this.active.delete(job.id);
    active.wakeups.forEach(clearTimeout);
    active.inFlight.forEach((controller) => controller.abort());
    try {
      await this.recorder.commit(job, [...before, { type: `job.${status}` as 'job.succeeded', error }]);
    } catch (failure) {
      // Not stored: the job stays unfinished in the store and goes on from there.
      if (isStoreFault(failure)) this.reloadLater(job.id, failure);
      throw failure;
    }
    this.metrics.jobsFinished.inc({ status });
    // Held until its webhook is delivered (the sender lets it go), else given up now.
    if (job.webhook) this.webhooks.deliver(job);
    else await this.recorder.release(job.id);
  }

  /**
   * Writes a change of a running job. The first change of a queued job starts it, in the same write:
   * a job is running from the moment its first step is.
   */
  private commit(job: Job, changes: EventSpec[]): Promise<void> {
    if (job.status === 'queued') {
      job.status = 'running';
      job.startedAt = new Date().toISOString();
      changes = [{ type: 'job.started' }, ...changes];
    }
    return this.recorder.commit(job, changes);
  }

  /** Pumps the job again when a retry is due; timers may fire a little early, so advance re-checks. */
  private wakeUpLater(active: ActiveJob, key: string, waitMs: number): void {
    if (active.wakeups.has(key)) return;
    const timer = setTimeout(() => {
      active.wakeups.delete(key);
      void this.pump(active);
    }, waitMs + 1);
    active.wakeups.set(key, timer);
  }

  private runsOf(step: JobStep): [StepRun, number | undefined][] {
    return step.items ? step.items.map((run, index) => [run, index]) : [[step, undefined]];
  }

  private jobOutputs(job: Job): Job['outputs'] {
    const outputs: Job['outputs'] = {};
    for (const [name, reference] of Object.entries(job.pipeline.outputs)) {
      const ref = resolveReference(job, reference);
      if (ref) outputs[name] = ref;
    }
    return outputs;
  }

  private async request(job: Job, step: JobStep, index?: number): Promise<TaskRequest> {
    const definition = job.pipeline.steps.find((s) => s.id === step.id)!;
    const descriptor = this.registry.descriptor(step.service);
    if (!descriptor) throw new MarketplaceError(ErrorCode.ServiceUnavailable, `service "${step.service}" is not registered`, { retryable: true });
    const task = findTask(descriptor, step.task);
    if (!task) throw new MarketplaceError(ErrorCode.TaskNotFound, `service "${step.service}" has no task "${step.task}"`);

    const inputs: Record<string, ArtifactRef> = {};
    for (const [name, reference] of Object.entries(definition.inputs)) {
      const ref = resolveReference(job, reference, index);
      if (!ref || Array.isArray(ref)) throw new MarketplaceError(ErrorCode.InputMissing, `input "${name}" (${reference}) has no value`);
      inputs[name] = ref;
    }

    const params: Record<string, unknown> = structuredClone(definition.params ?? {});
    if (definition.bind) {
      const run = index === undefined ? undefined : step.items![index];
      const context = expressionContext(job, run && { value: run.item, index: index! });
      const properties = (task.params['properties'] ?? {}) as Record<string, { type?: string }>;
      for (const [name, text] of Object.entries(definition.bind)) {
        let value = await this.expressions.evaluate(text, context);
        // JSONata answers a one-item list as the item and an empty list as nothing.
        if (properties[name]?.type === 'array' && !Array.isArray(value)) value = value === undefined ? [] : [value];
        if (value !== undefined) params[name] = value;
      }
    }
    const problems = this.params.validate(task.params, params, `steps.${step.id}.params`);
    if (problems.length) throw new MarketplaceError(ErrorCode.InvalidParameters, `invalid parameters for ${step.service}.${step.task}`, { problems });
    const outputPrefix = `jobs/${job.id}/steps/${step.id}${index === undefined ? '' : `/${index}`}`;
    return { service: step.service, task: step.task, inputs, params, outputPrefix };
  }
}
