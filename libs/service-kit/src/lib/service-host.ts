import { randomUUID } from 'node:crypto';
import { Subject } from 'rxjs';
import {
  Artifact,
  ErrorCode,
  findTask,
  Heartbeat,
  MarketplaceError,
  matchesDeclaredType,
  ParamsValidator,
  TaskRequest,
  TaskDescriptor,
  TaskResult,
} from '@aim/contracts';
import { assertSafeBlobKey, BlobStore } from '@aim/blob-store';
import { TaskArtifacts } from './task-artifacts';
import { TaskService } from './task-service';
import { WorkQueue, WorkQueueOptions } from './work-queue';

/**
 * One running instance of a service: checks its wiring at start, validates every call against the
 * descriptor, and works through a bounded queue. Both bindings (local and remote) call `execute`.
 */
export class ServiceHost {
  readonly instanceId = `${this.service.descriptor.name}-${randomUUID().slice(0, 8)}`;
  readonly queue: WorkQueue;
  private readonly validator = new ParamsValidator();
  private readonly artifacts: TaskArtifacts;

  constructor(
    readonly service: TaskService,
    queueOptions: WorkQueueOptions,
    blobs: BlobStore,
  ) {
    this.artifacts = new TaskArtifacts(blobs);
    const concurrency = Math.min(queueOptions.concurrency, service.maxConcurrency ?? Number.MAX_SAFE_INTEGER);
    this.queue = new WorkQueue(service.descriptor.name, { ...queueOptions, concurrency });
    this.checkWiring();
  }

  get name(): string {
    return this.service.descriptor.name;
  }

  heartbeat(): Heartbeat {
    return {
      service: this.name,
      instanceId: this.instanceId,
      version: this.service.descriptor.version,
      queueDepth: this.queue.depth,
      inFlight: this.queue.inFlight,
      concurrency: this.queue.options.concurrency,
      queueLimit: this.queue.options.queueLimit,
      runtime: this.service.runtime(),
      sentAt: new Date().toISOString(),
    };
  }

  /** Every call that ended: its task, how long it took, and its error code when it failed (for metrics). */
  readonly ended = new Subject<{ task: string; seconds: number; code?: string }>();

  async execute(request: TaskRequest, signal: AbortSignal): Promise<TaskResult> {
    const started = performance.now();
    try {
      const result = await this.run(request, signal);
      this.ended.next({ task: request.task, seconds: (performance.now() - started) / 1000 });
      return result;
    } catch (error) {
      this.ended.next({ task: request.task, seconds: (performance.now() - started) / 1000, code: MarketplaceError.from(error).code });
      throw error;
    }
  }

  private async run(request: TaskRequest, signal: AbortSignal): Promise<TaskResult> {
    const task = findTask(this.service.descriptor, request.task);
    if (!task) {
      throw new MarketplaceError(ErrorCode.TaskNotFound, `service "${this.name}" has no task "${request.task}"`);
    }
    for (const input of task.inputs) {
      const artifact = request.inputs[input.name];
      if (!artifact) {
        throw new MarketplaceError(ErrorCode.InputMissing, `task "${task.name}" needs the input "${input.name}"`);
      }
      if (!input.contentTypes.includes(artifact.contentType)) {
        throw new MarketplaceError(
          ErrorCode.UnsupportedMediaType,
          `input "${input.name}" of task "${task.name}" accepts ${input.contentTypes.join(', ')}, not ${artifact.contentType}`,
        );
      }
    }
    const params = structuredClone(request.params ?? {});
    const problems = this.validator.validate(task.params, params);
    if (problems.length) {
      throw new MarketplaceError(ErrorCode.InvalidParameters, `invalid parameters for ${this.name}.${task.name}`, {
        problems,
      });
    }
    assertSafeBlobKey(`${request.outputPrefix}/output`);
    // Files are read in the task's turn, not while it waits in the queue: memory stays bounded by the concurrency.
    const outputs = await this.queue.run(async () => {
      if (signal.aborted) throw new MarketplaceError(ErrorCode.Cancelled, 'the step was cancelled before it started');
      const inputs = await this.artifacts.load(request.inputs);
      const produced = await this.service.handlers[task.name]({ inputs, params, signal });
      this.checkOutputs(task, produced);
      return this.artifacts.store(request.outputPrefix, produced);
    });
    return { outputs, instanceId: this.instanceId };
  }

  private checkOutputs(task: TaskDescriptor, outputs: Record<string, Artifact>): void {
    const taskName = task.name;
    for (const output of task.outputs) {
      const produced = outputs[output.name];
      if (!produced || !matchesDeclaredType(produced.contentType, output.contentType)) {
        throw new MarketplaceError(ErrorCode.Internal, `${this.name}.${taskName} did not produce its output "${output.name}" as ${output.contentType}`);
      }
    }
  }

  /** Each declared task has exactly one handler and each handler a declared task, with a valid schema. */
  private checkWiring(): void {
    const declared = this.service.descriptor.tasks.map((t) => t.name);
    const handled = Object.keys(this.service.handlers);
    const missing = declared.filter((name) => !handled.includes(name));
    const extra = handled.filter((name) => !declared.includes(name));
    if (missing.length || extra.length || new Set(declared).size !== declared.length) {
      throw new Error(
        `service "${this.name}" is miswired: tasks without handler [${missing}], handlers without task [${extra}], or a task declared twice`,
      );
    }
    for (const task of this.service.descriptor.tasks) this.validator.compile(task.params);
  }
}
