import { Injectable, OnModuleInit } from '@nestjs/common';
import { ErrorCode, findTask, MarketplaceError, PipelineDefinition, PipelineSummary, Problem } from '@aim/contracts';
import { JobStore, StoredPipeline } from '@aim/store';
import { ServiceRegistry } from '../registry/service-registry';
import { BUILTIN_PIPELINES } from './builtin-pipelines';
import { PipelineValidator } from './pipeline-validator';
import { TASK_PIPELINE_PREFIX, taskPipeline } from './task-pipeline';

@Injectable()
export class PipelinesService implements OnModuleInit {
  constructor(
    private readonly store: JobStore,
    private readonly registry: ServiceRegistry,
    private readonly validator: PipelineValidator,
  ) {}

  async onModuleInit(): Promise<void> {
    const now = new Date().toISOString();
    for (const definition of BUILTIN_PIPELINES) {
      const existing = await this.store.getPipeline(definition.id);
      // Written only when it changed: a start needs no write (and so works on a full disk).
      if (existing?.builtIn && JSON.stringify(existing.definition) === JSON.stringify(definition)) continue;
      await this.store.savePipeline({ definition, builtIn: true, createdAt: existing?.createdAt ?? now, updatedAt: now });
    }
  }

  validate(candidate: unknown): Problem[] {
    return this.validator.validate(candidate, (name) => this.registry.descriptor(name));
  }

  async list(): Promise<PipelineSummary[]> {
    return (await this.store.listPipelines()).map((stored) => this.summarise(stored));
  }

  async get(id: string): Promise<StoredPipeline> {
    const stored = await this.store.getPipeline(id);
    if (!stored) throw new MarketplaceError(ErrorCode.PipelineNotFound, `there is no pipeline "${id}"; GET /api/v1/pipelines lists them`);
    return stored;
  }

  /** The definition a job runs: a stored pipeline, or the one-step pipeline of a service task. */
  async definitionToRun(id: string): Promise<PipelineDefinition> {
    if (!id.startsWith(TASK_PIPELINE_PREFIX)) return (await this.get(id)).definition;
    const [service, task] = id.slice(TASK_PIPELINE_PREFIX.length).split('.');
    return this.taskDefinition(service, task);
  }

  taskDefinition(serviceName: string, taskName: string): PipelineDefinition {
    const service = this.registry.descriptor(serviceName);
    if (!service) throw new MarketplaceError(ErrorCode.ServiceNotFound, `there is no service "${serviceName}"; GET /api/v1/services lists them`);
    const task = findTask(service, taskName);
    if (!task) {
      throw new MarketplaceError(ErrorCode.TaskNotFound, `service "${serviceName}" has no task "${taskName}"; it has ${service.tasks.map((t) => t.name).join(', ')}`);
    }
    return taskPipeline(service, task);
  }

  async create(candidate: unknown): Promise<StoredPipeline> {
    const definition = this.validOrThrow(candidate);
    if (await this.store.getPipeline(definition.id)) {
      throw new MarketplaceError(ErrorCode.PipelineExists, `a pipeline "${definition.id}" exists already; replace it with PUT /api/v1/pipelines/${definition.id}`);
    }
    const now = new Date().toISOString();
    const stored = { definition, builtIn: false, createdAt: now, updatedAt: now };
    await this.store.savePipeline(stored);
    return stored;
  }

  async replace(id: string, candidate: unknown): Promise<StoredPipeline> {
    const existing = await this.writable(id);
    const definition = this.validOrThrow(candidate);
    if (definition.id !== id) {
      throw new MarketplaceError(ErrorCode.PipelineInvalid, `the body's id "${definition.id}" differs from "${id}" in the URL`, {
        problems: [{ path: 'id', message: `must be "${id}"` }],
      });
    }
    const stored = { definition, builtIn: false, createdAt: existing.createdAt, updatedAt: new Date().toISOString() };
    await this.store.savePipeline(stored);
    return stored;
  }

  async delete(id: string): Promise<void> {
    await this.writable(id);
    await this.store.deletePipeline(id);
  }

  summarise(stored: StoredPipeline): PipelineSummary {
    const { definition } = stored;
    const services = [...new Set(definition.steps.map((step) => step.service))];
    return {
      id: definition.id,
      name: definition.name,
      description: definition.description,
      tags: definition.tags ?? [],
      builtIn: stored.builtIn,
      services,
      ...this.runnability(definition),
    };
  }

  runnability(definition: PipelineDefinition): { runnable: boolean; notRunnableReasons: string[] } {
    const reasons: string[] = [];
    for (const step of definition.steps) {
      const descriptor = this.registry.descriptor(step.service);
      if (!descriptor) reasons.push(`service "${step.service}" is not registered`);
      else if (!this.registry.isAvailable(step.service)) reasons.push(`service "${step.service}" has no available instance`);
      else if (!findTask(descriptor, step.task)) reasons.push(`service "${step.service}" has no task "${step.task}"`);
    }
    const unique = [...new Set(reasons)];
    return { runnable: unique.length === 0, notRunnableReasons: unique };
  }

  private validOrThrow(candidate: unknown): PipelineDefinition {
    const problems = this.validate(candidate);
    if (problems.length) {
      throw new MarketplaceError(ErrorCode.PipelineInvalid, `the pipeline has ${problems.length} problem(s); fix each at its path`, { problems });
    }
    return candidate as PipelineDefinition;
  }

  private async writable(id: string): Promise<StoredPipeline> {
    const existing = await this.get(id);
    if (existing.builtIn) {
      throw new MarketplaceError(ErrorCode.PipelineReadOnly, `"${id}" is a built-in pipeline and cannot be changed; create a copy under another id`);
    }
    return existing;
  }
}
