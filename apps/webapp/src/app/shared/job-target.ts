/** A job runs a pipeline, or one task alone as the pipeline `task:<service>.<task>`. */
const TASK_PREFIX = 'task:';

/** The run form of what a job ran: `/run/pipeline/<id>` or `/run/task/<service>/<task>`. */
export function runFormOf(pipelineId: string): string[] {
  return pipelineId.startsWith(TASK_PREFIX) ? ['/run/task', ...pipelineId.slice(TASK_PREFIX.length).split('.')] : ['/run/pipeline', pipelineId];
}

/** What a job ran, for people: `service · task` for a task alone, else the pipeline's name when known. */
export function describeTarget(pipelineId: string, pipelineName?: string): string {
  return pipelineId.startsWith(TASK_PREFIX) ? pipelineId.slice(TASK_PREFIX.length).replace('.', ' · ') : (pipelineName ?? pipelineId);
}
