import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { ArtifactRef, ErrorCode, isImageContentType, Job, MarketplaceError, own, ParamsValidator, PipelineDefinition } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';
import { JobStore } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { EngineMetrics } from '../observability/engine.metrics';
import { PipelinesService } from '../pipelines/pipelines.service';
import { isTaskPipeline, withTaskParams } from '../pipelines/task-pipeline';
import { probeImage } from './image-probe';
import { checkWebhookTarget } from './webhook-target';
import { JobRecorder } from './job-recorder';
import { JobRunner } from './job-runner';

export interface SubmittedInput {
  /** Bytes of an uploaded file, or a JSON value. */
  data?: Buffer;
  value?: unknown;
}

export interface SubmitRequest {
  pipelineId: string;
  /** Who the job will belong to. */
  owner?: string;
  inputs: Record<string, SubmittedInput>;
  params: Record<string, unknown>;
  idempotencyKey?: string;
  webhookUrl?: string;
}

/** How long a count of unfinished jobs is used before the store is asked again (one count per submit would cost more than the submit). */
const COUNT_TTL_MS = 250;

/** Checks a submission completely (inputs, types, limits, parameters), stores it, and hands it to the runner. */
@Injectable()
export class JobSubmissionService {
  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly pipelines: PipelinesService,
    private readonly blobs: BlobStore,
    private readonly store: JobStore,
    private readonly recorder: JobRecorder,
    private readonly runner: JobRunner,
    private readonly validator: ParamsValidator,
    private readonly metrics: EngineMetrics,
  ) {}

  /** The store's count of unfinished jobs, read at most every COUNT_TTL_MS, plus those this replica created since. */
  private counted = { at: 0, value: 0, since: 0 };

  /** Unfinished jobs across every replica on the store: what MAX_ACTIVE_JOBS limits. */
  private async unfinishedJobs(): Promise<number> {
    if (Date.now() - this.counted.at > COUNT_TTL_MS) this.counted = { at: Date.now(), value: await this.store.countUnfinishedJobs(), since: 0 };
    return Math.max(this.counted.value + this.counted.since, this.runner.activeCount);
  }

  /**
   * Answers the job and whether it is new. A retried submit (same idempotency key, same request) gets the
   * job it made before, even when the queue is full or a service is down now, and writes nothing.
   */
  async submit(request: SubmitRequest): Promise<{ job: Job; created: boolean }> {
    let definition = await this.pipelines.definitionToRun(request.pipelineId);
    const params = this.checkParams(definition, request.params);
    if (isTaskPipeline(definition)) definition = withTaskParams(definition, params);
    const webhookUrl = !request.webhookUrl ? undefined : await checkWebhookTarget(request.webhookUrl, this.options.webhookAllowPrivateTargets);
    const id = randomUUID();
    // Only a retried submit (an idempotency key) is compared with the one before: only then is it hashed.
    const fingerprint = request.idempotencyKey === undefined ? undefined : createHash('sha256').update(JSON.stringify([definition.id, params, webhookUrl ?? null]));
    const inputs = await this.checkInputs(id, definition, request.inputs, fingerprint);
    const requestHash = fingerprint?.digest('hex');
    // Keys are per owner: another caller's key never finds (or blocks) this one's job.
    const idempotencyKey = request.idempotencyKey === undefined ? undefined : `${request.owner ?? ''} ${request.idempotencyKey}`;
    if (idempotencyKey) {
      const earlier = await this.store.findJobByIdempotencyKey(idempotencyKey);
      if (earlier) return { job: this.sameRequest(earlier, requestHash, request.idempotencyKey!), created: false };
    }
    const unfinished = await this.unfinishedJobs();
    if (unfinished >= this.options.maxActiveJobs) {
      this.metrics.jobsRefused.inc();
      throw new MarketplaceError(ErrorCode.QueueFull, `the engine has ${unfinished} unfinished jobs, its limit; retry later`, {
        retryable: true,
        retryAfterSeconds: 1,
      });
    }
    const { runnable, notRunnableReasons } = this.pipelines.runnability(definition);
    if (!runnable) {
      throw new MarketplaceError(ErrorCode.PipelineNotRunnable, `pipeline "${definition.id}" cannot run now: ${notRunnableReasons.join('; ')}`, {
        retryable: true,
        retryAfterSeconds: 5,
      });
    }
    const now = new Date().toISOString();
    const job: Job = {
      id,
      owner: request.owner,
      pipelineId: definition.id,
      pipeline: definition,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      params,
      inputs: Object.fromEntries(inputs.map((input) => [input.name, input.ref])),
      outputs: {},
      steps: definition.steps.map((step) => ({ id: step.id, service: step.service, task: step.task, status: 'pending', attempts: 0 })),
      idempotencyKey,
      requestHash,
      webhook: webhookUrl ? { url: webhookUrl, status: 'pending', attempts: 0 } : undefined,
      seq: 0,
    };
    if (!job.webhook) delete job.webhook;
    if (!job.owner) delete job.owner;
    const result = await this.storeNewJob(job, inputs);
    if (!result.created) {
      // Another submit with the same key won the race between the look-up and the insert.
      await this.blobs.deletePrefix(`jobs/${id}`);
      return { job: this.sameRequest(result.job, requestHash, request.idempotencyKey!), created: false };
    }
    this.metrics.jobsSubmitted.inc({ pipeline: definition.id });
    this.counted.since++;
    this.runner.start(job);
    return { job, created: true };
  }

  /** Files first, then the job; when either fails (a full disk, say) no file of the job is left behind. */
  private async storeNewJob(job: Job, inputs: CheckedInput[]) {
    try {
      for (const input of inputs) if (input.data && input.ref.blobKey) await this.blobs.put(input.ref.blobKey, input.data);
      return await this.recorder.create(job);
    } catch (error) {
      await this.blobs.deletePrefix(`jobs/${job.id}`).catch(() => undefined);
      throw error;
    }
  }

  private sameRequest(earlier: Job, requestHash: string | undefined, key: string): Job {
    if (earlier.requestHash !== requestHash) {
      throw new MarketplaceError(ErrorCode.IdempotencyConflict, `the idempotency key "${key}" was used for a different request; use a new key`);
    }
    return this.runner.activeJob(earlier.id) ?? earlier;
  }

  private checkParams(definition: PipelineDefinition, submitted: Record<string, unknown>): Record<string, unknown> {
    const params = structuredClone(submitted ?? {});
    if (!definition.params) {
      const names = Object.keys(params);
      if (names.length) {
        throw new MarketplaceError(ErrorCode.InvalidParameters, `pipeline "${definition.id}" takes no parameters`, {
          problems: names.map((name) => ({ path: `params.${name}`, message: `unknown parameter "${name}"` })),
        });
      }
      return params;
    }
    const problems = this.validator.validate(definition.params, params);
    if (problems.length) {
      throw new MarketplaceError(ErrorCode.InvalidParameters, `invalid parameters for pipeline "${definition.id}"`, { problems });
    }
    return params;
  }

  /** Checks every input (presence, real content type, pixel limit) and adds it to the fingerprint; writes nothing. */
  private async checkInputs(
    jobId: string,
    definition: PipelineDefinition,
    submitted: Record<string, SubmittedInput>,
    fingerprint: ReturnType<typeof createHash> | undefined,
  ): Promise<CheckedInput[]> {
    const unknown = Object.keys(submitted).filter((name) => !Object.hasOwn(definition.inputs, name));
    if (unknown.length) {
      throw new MarketplaceError(ErrorCode.ValidationFailed, `pipeline "${definition.id}" has no input ${unknown.map((n) => `"${n}"`).join(', ')}; its inputs are ${Object.keys(definition.inputs).join(', ')}`);
    }
    const checked: CheckedInput[] = [];
    for (const [name, declared] of Object.entries(definition.inputs)) {
      const input = own(submitted, name);
      if (!input || (input.data === undefined && input.value === undefined)) {
        throw new MarketplaceError(ErrorCode.InputMissing, `input "${name}" is missing; send it as ${declared.contentTypes.join(' or ')}`);
      }
      if (input.data !== undefined) {
        const wantsImage = declared.contentTypes.some(isImageContentType);
        const contentType = wantsImage ? await probeImage(input.data, this.options.maxImagePixels, name) : 'application/octet-stream';
        if (!declared.contentTypes.includes(contentType)) {
          throw new MarketplaceError(ErrorCode.UnsupportedMediaType, `input "${name}" is ${contentType}, but this pipeline accepts ${declared.contentTypes.join(', ')}`);
        }
        fingerprint?.update(name).update(input.data);
        checked.push({ name, ref: { contentType, size: input.data.length, blobKey: `jobs/${jobId}/inputs/${name}` }, data: input.data });
      } else {
        if (!declared.contentTypes.includes('application/json')) {
          throw new MarketplaceError(ErrorCode.UnsupportedMediaType, `input "${name}" must be a file (${declared.contentTypes.join(', ')}), not a JSON value`);
        }
        const text = JSON.stringify(input.value);
        fingerprint?.update(name).update(text);
        checked.push({ name, ref: { contentType: 'application/json', size: text.length, value: input.value } });
      }
    }
    return checked;
  }
}

interface CheckedInput {
  name: string;
  ref: ArtifactRef;
  /** Bytes to write to the blob store, for file inputs. */
  data?: Buffer;
}
