import { PipelineDefinition, ServiceDescriptor, TaskDescriptor } from '@aim/contracts';

export const TASK_PIPELINE_PREFIX = 'task:';

export function isTaskPipeline(definition: PipelineDefinition): boolean {
  return definition.id.startsWith(TASK_PIPELINE_PREFIX);
}

/**
 * A one-step pipeline that runs a single service task. Its parameters schema is the task's; the job's
 * checked parameters become the step's fixed ones (see `withTaskParams`).
 */
export function taskPipeline(service: ServiceDescriptor, task: TaskDescriptor): PipelineDefinition {
  return {
    id: `${TASK_PIPELINE_PREFIX}${service.name}.${task.name}`,
    name: `${service.name}: ${task.name}`,
    description: task.summary,
    inputs: Object.fromEntries(task.inputs.map((input) => [input.name, { contentTypes: input.contentTypes }])),
    params: task.params,
    steps: [
      {
        id: 'run',
        service: service.name,
        task: task.name,
        inputs: Object.fromEntries(task.inputs.map((input) => [input.name, `inputs.${input.name}`])),
      },
    ],
    outputs: Object.fromEntries(task.outputs.map((output) => [output.name, `run.${output.name}`])),
  };
}

export function withTaskParams(definition: PipelineDefinition, params: Record<string, unknown>): PipelineDefinition {
  return { ...definition, steps: [{ ...definition.steps[0], params }] };
}
