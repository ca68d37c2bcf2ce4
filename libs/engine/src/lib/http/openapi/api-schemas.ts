import type { Schema } from './openapi-types';
import { ErrorCode, JobEventType, JobStatus, PIPELINE_DEFINITION_SCHEMA, StepStatus } from '@aim/contracts';

/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API takes and answers: the contracts'
 * types (`@aim/contracts`) written out. The typed client is generated from them, and every response the
 * API tests receive is validated against them, so a field the code adds without saying so here fails.
 */

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const string = (description?: string, more: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...more });
const integer = (description: string, minimum = 0): Schema => ({ type: 'integer', minimum, description });
const timestamp = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
const map = (values: Schema, description: string): Schema => ({ type: 'object', additionalProperties: values, description });
/** An object whose fields are all listed: a field the server sends that is not listed here fails validation. */
const closed = (properties: Record<string, Schema>, required: string[], description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required,
  properties,
  additionalProperties: false,
});
/** Any JSON value (JSON inputs and outputs, for-each items). */
const ANY_JSON: Schema = { description: 'any JSON value' };

const artifact = closed(
  {
    contentType: string('the media type', { example: 'image/jpeg' }),
    size: integer('bytes'),
    value: { ...ANY_JSON, description: 'the value itself, for JSON artifacts' },
    url: string('where to download it (outputs only)', { example: '/api/v1/jobs/0b9e4a3c-54f3-4c1e-9a52-7c1d2a3f9e10/outputs/image' }),
  },
  ['contentType', 'size'],
  'an input or output: JSON values inline, files by media type and size',
);

const wireError = closed(
  {
    code: ref('ErrorCode'),
    message: string('what went wrong, for people'),
    retryable: { type: 'boolean', description: 'whether the engine retries (or a retry may succeed)' },
    problems: { type: 'array', items: ref('Problem') },
  },
  ['code', 'message', 'retryable'],
  'why a step or a job failed',
);

const stepRunProperties: Record<string, Schema> = {
  status: ref('StepStatus'),
  attempts: integer('attempts made so far'),
  startedAt: timestamp('when the last attempt started'),
  finishedAt: timestamp('when the step ended'),
  retryAt: timestamp('when the next attempt is due, after a retryable failure'),
  instanceId: string('the service instance that ran the last attempt'),
  item: { ...ANY_JSON, description: 'for-each runs: the list item this run works on' },
  error: ref('WireError'),
  outputs: map(ref('Artifact'), 'output name → artifact'),
};

const pipelineSummaryProperties: Record<string, Schema> = {
  id: string('the pipeline id', { example: 'thumbnail' }),
  name: string('a name for people'),
  description: string(),
  tags: { type: 'array', items: { type: 'string' } },
  builtIn: { type: 'boolean', description: 'built-in pipelines are read-only' },
  runnable: { type: 'boolean', description: 'every service it needs has an available instance' },
  notRunnableReasons: { type: 'array', items: { type: 'string' }, description: 'why it cannot run now' },
  services: { type: 'array', items: { type: 'string' }, description: 'the services its steps call' },
};
const PIPELINE_SUMMARY_REQUIRED = ['id', 'name', 'tags', 'builtIn', 'runnable', 'notRunnableReasons', 'services'];

const jobProperties: Record<string, Schema> = {
  id: string('the job id', { format: 'uuid' }),
  pipelineId: string('the pipeline it runs (`task:<service>.<task>` for one task run alone)', { example: 'thumbnail' }),
  status: ref('JobStatus'),
  createdAt: timestamp('when it was submitted'),
  updatedAt: timestamp('its last change'),
  startedAt: timestamp('when its first step started'),
  finishedAt: timestamp('when it ended'),
  params: { type: 'object', additionalProperties: true, description: 'the parameters it was submitted with' },
  inputs: map(ref('Artifact'), 'input name → artifact (download at /inputs/{name})'),
  outputs: map({ anyOf: [ref('Artifact'), { type: 'array', items: ref('Artifact') }] }, 'output name → artifact; a list for a for-each output'),
  steps: { type: 'array', items: ref('JobStep') },
  error: ref('WireError'),
  webhook: ref('Webhook'),
  seq: integer('sequence number of its last event: what `Last-Event-ID` resumes from'),
};

/** Query, header and body values the API reads: one source for the document and the server's own checks. */
export const JOB_LIST_LIMIT = { default: 20, minimum: 1, maximum: 100 } as const;
export const JOB_LIST_OFFSET = { default: 0, minimum: 0, maximum: 1_000_000_000 } as const;
export const OUTPUT_INDEX = { minimum: 0, maximum: 1_000_000 } as const;
export const IDEMPOTENCY_KEY_PATTERN = '^[\\w.:-]{1,200}$';

export const API_SCHEMAS = {
  ErrorCode: { type: 'string', enum: Object.values(ErrorCode), description: 'a stable code to branch on; the message is for people' },
  Problem: closed({ path: string('where, as a JSON path', { example: 'params.width' }), message: string('what is wrong there') }, ['path', 'message']),
  Error: closed(
    {
      code: ref('ErrorCode'),
      message: string('what went wrong and what to change', { example: 'there is no pipeline "x"; the pipelines are listed at /api/v1/pipelines' }),
      problems: { type: 'array', items: ref('Problem'), description: 'every problem found, each at its path' },
    },
    ['code', 'message'],
    'every error the API answers',
  ),
  WireError: wireError,
  JobStatus: { type: 'string', enum: Object.values(JobStatus) },
  StepStatus: { type: 'string', enum: Object.values(StepStatus) },
  ServiceStatus: { type: 'string', enum: ['available', 'unavailable'] },
  JsonSchema: { type: 'object', additionalProperties: true, description: 'a JSON Schema (2020-12)', example: { type: 'object', properties: { width: { type: 'integer' } } } },
  TaskInput: closed(
    { name: string(undefined, { example: 'image' }), description: string(), contentTypes: { type: 'array', items: string(undefined, { example: 'image/jpeg' }) } },
    ['name', 'contentTypes'],
    'an input a task takes',
  ),
  TaskOutput: closed(
    { name: string(undefined, { example: 'faces' }), description: string(), contentType: string(), schema: ref('JsonSchema') },
    ['name', 'contentType'],
    'an output a task gives; `schema` describes JSON outputs',
  ),
  Task: closed(
    {
      name: string(undefined, { example: 'blur' }),
      summary: string(),
      inputs: { type: 'array', items: ref('TaskInput') },
      params: { ...ref('JsonSchema'), description: 'the schema of its parameters' },
      outputs: { type: 'array', items: ref('TaskOutput') },
    },
    ['name', 'summary', 'inputs', 'params', 'outputs'],
  ),
  Instance: closed(
    {
      id: string(),
      version: string(),
      available: { type: 'boolean' },
      lastSeen: timestamp('its last heartbeat'),
      queueDepth: integer('calls waiting'),
      inFlight: integer('calls running'),
      concurrency: integer('calls it runs at once'),
      queueLimit: integer('calls it holds before refusing'),
      runtime: { type: 'object', additionalProperties: { type: 'string' }, example: { mlBackend: 'wasm' } },
    },
    ['id', 'version', 'available', 'lastSeen', 'queueDepth', 'inFlight', 'concurrency', 'queueLimit'],
    'one running copy of a service',
  ),
  Service: closed(
    {
      name: string(undefined, { example: 'image-processing' }),
      version: string(),
      summary: string(),
      tags: { type: 'array', items: { type: 'string' } },
      usesAi: { type: 'boolean' },
      status: ref('ServiceStatus'),
      instances: { type: 'array', items: ref('Instance') },
      tasks: { type: 'array', items: ref('Task') },
    },
    ['name', 'version', 'summary', 'tags', 'usesAi', 'status', 'instances', 'tasks'],
  ),
  PipelineDefinition: { ...PIPELINE_DEFINITION_SCHEMA, description: 'a pipeline: its inputs, parameters, steps and outputs' } as Schema,
  PipelineSummary: closed(pipelineSummaryProperties, PIPELINE_SUMMARY_REQUIRED),
  Pipeline: closed(
    { ...pipelineSummaryProperties, definition: ref('PipelineDefinition'), createdAt: timestamp('when it was saved first'), updatedAt: timestamp('its last change') },
    [...PIPELINE_SUMMARY_REQUIRED, 'definition', 'createdAt', 'updatedAt'],
  ),
  ValidationResult: closed({ valid: { type: 'boolean' }, problems: { type: 'array', items: ref('Problem') } }, ['valid', 'problems']),
  Artifact: artifact,
  StepRun: closed(stepRunProperties, ['status', 'attempts'], 'one run of a step, or of one item of a for-each step'),
  JobStep: closed(
    {
      id: string('the step id of the pipeline'),
      service: string(),
      task: string(),
      ...stepRunProperties,
      items: { type: 'array', items: ref('StepRun'), description: 'for-each steps: one run per item' },
    },
    ['id', 'service', 'task', 'status', 'attempts'],
  ),
  Webhook: closed(
    {
      url: string(undefined, { format: 'uri' }),
      status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: integer('deliveries tried'),
      lastError: string(),
      nextAttemptAt: timestamp('when the next delivery is tried'),
    },
    ['url', 'status', 'attempts'],
    'the delivery of the job’s webhook',
  ),
  Job: closed(jobProperties, ['id', 'pipelineId', 'status', 'createdAt', 'updatedAt', 'params', 'inputs', 'outputs', 'steps', 'seq']),
  JobFields: closed(jobProperties, [], 'the fields of a job asked for with `?fields=`'),
  JobPage: closed(
    { items: { type: 'array', items: ref('Job') }, total: integer('jobs matching the filter'), limit: integer('page size', 1), offset: integer('jobs skipped') },
    ['items', 'total', 'limit', 'offset'],
  ),
  JobEventType: { type: 'string', enum: Object.values(JobEventType) },
  JobEvent: closed(
    {
      jobId: string(undefined, { format: 'uuid' }),
      seq: integer('1, 2, 3... per job, in the order the changes were written', 1),
      type: ref('JobEventType'),
      at: timestamp('when it happened'),
      status: ref('JobStatus'),
      step: string('the step it is about'),
      item: integer('the for-each item it is about'),
      attempt: integer('the attempt it is about', 1),
      error: ref('WireError'),
    },
    ['jobId', 'seq', 'type', 'at', 'status'],
    'a change of a job, as its event stream sends it (the SSE `data`)',
  ),
  JobStreamEvent: closed(
    { id: string('the event’s seq', { pattern: '^[0-9]+$' }), event: ref('JobEventType'), data: ref('JobEvent') },
    ['id', 'event', 'data'],
    'one Server-Sent Event of a job’s stream',
  ),
  JsonSubmission: closed(
    {
      inputs: map(
        {
          oneOf: [
            closed({ base64: string('the file, base64-encoded', { format: 'byte' }) }, ['base64']),
            closed({ value: ANY_JSON }, ['value']),
          ],
        },
        'input name → `{ base64 }` for a file, `{ value }` for a JSON input',
      ),
      params: { type: 'object', additionalProperties: true, description: 'the parameters, as the task’s (or pipeline’s) schema says', example: { width: 320 } },
      webhookUrl: string('called with the job once it has ended (HMAC-signed when WEBHOOK_SECRET is set)', { format: 'uri' }),
    },
    ['inputs'],
    'a job as JSON',
  ),
  MultipartSubmission: {
    type: 'object',
    description: 'a job as multipart/form-data: one file field per file input (a JSON text for a JSON input), `params` as JSON text',
    properties: {
      params: string('the parameters as JSON text', { contentMediaType: 'application/json', example: '{"width":320}' }),
      webhookUrl: string('called with the job once it has ended', { format: 'uri' }),
    },
    additionalProperties: {
      description: 'an input: the file, or the JSON text of a JSON input',
      anyOf: [{ type: 'string', format: 'binary' }, { type: 'string', contentMediaType: 'application/json' }],
    },
  },
  ServiceLoad: closed(
    {
      name: string(),
      available: { type: 'boolean' },
      instances: integer('available instances'),
      capacity: integer('calls its instances run at once'),
      inFlight: integer('calls this engine has running on it'),
      held: integer('calls waiting for a free slot'),
    },
    ['name', 'available', 'instances', 'capacity', 'inFlight', 'held'],
  ),
  Stats: closed(
    {
      jobs: closed(Object.fromEntries(Object.values(JobStatus).map((status) => [status, integer(`${status} jobs`)])), Object.values(JobStatus), 'jobs by status'),
      activeJobs: integer('jobs this engine is running now'),
      services: { type: 'array', items: ref('ServiceLoad') },
      uptimeSeconds: integer('seconds since this engine started'),
    },
    ['jobs', 'activeJobs', 'services', 'uptimeSeconds'],
  ),
  Live: closed({ status: { type: 'string', enum: ['ok'] } }, ['status']),
  Readiness: closed(
    {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      store: string('`ok`, or why the store does not answer'),
      services: map(ref('ServiceStatus'), 'service name → status'),
    },
    ['status', 'store', 'services'],
  ),
} satisfies Record<string, Schema>;


export type ApiSchemaName = keyof typeof API_SCHEMAS;
