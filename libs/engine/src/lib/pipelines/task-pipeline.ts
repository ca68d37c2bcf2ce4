import { PipelineDefinition, ServiceDescriptor, TaskDescriptor } from '@aim/contracts';

export const TASK_PIPELINE_PREFIX = 'task:';

/** A one-step pipeline that runs a single service task, its parameters taken from the job's. */
export function taskPipeline(service: ServiceDescriptor, task: TaskDescriptor): PipelineDefinition {
  const properties = Object.keys((task.params['properties'] ?? {}) as Record<string, unknown>);
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
        bind: Object.fromEntries(properties.map((name) => [name, `params.\`${name}\``])),
      },
    ],
    outputs: Object.fromEntries(task.outputs.map((output) => [output.name, `run.${output.name}`])),
  };
}
