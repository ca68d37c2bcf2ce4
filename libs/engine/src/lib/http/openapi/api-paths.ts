import { JobEventType } from '@aim/contracts';
import { IDEMPOTENCY_KEY_PATTERN, JOB_LIST_LIMIT, JOB_LIST_OFFSET, OUTPUT_INDEX, ref } from './api-schemas';
import { JOB_FIELDS } from '../query.dto';
import { errors } from './api-responses';
import type { Header, Operation, Parameter, PathItem, Reference, Response, Schema, SecurityRequirement } from './openapi-types';

/**
 * Every route of the engine's HTTP API, as OpenAPI 3.1 operations. The operation ids are the names the
 * typed client uses (`API_ROUTES` in @aim/client); a test checks that the routes the server has and the
 * ones written here are the same.
 */

const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (description: string, schema: Schema, headers?: Record<string, Header>) => ({
  description,
  content: json(schema),
  ...(headers ? { headers } : {}),
});
const parameter = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });

/** Who may call: no credential at all (health), or an optional one (a key or the owner cookie makes the caller an owner), or an admin key. */
const PUBLIC: SecurityRequirement[] = [];
const OPTIONAL_CALLER: SecurityRequirement[] = [{}, { apiKey: [] }, { bearer: [] }, { ownerCookie: [] }];
const ADMIN: SecurityRequirement[] = [{ apiKey: [] }, { bearer: [] }];

/** Answers every operation can give: a key that is not known (401), an unexpected error (500). */
const ALWAYS = errors(401, 500);
/** Answers of an operation that reads the store. */
const READS_STORE = errors(401, 500, 503);

const SUBMITTED_HEADERS: Record<string, Header> = {
  Location: { description: 'where the job is: `/api/v1/jobs/{id}`', required: true, schema: { type: 'string' } },
  'Preference-Applied': { description: '`wait=N`: how long the server waited, when `Prefer: wait` was sent', schema: { type: 'string' } },
  'Set-Cookie': { description: 'the owner cookie (`aim_owner`) of a caller without key or cookie: it owns the job', schema: { type: 'string' } },
};

function submitOperation(operationId: string, summary: string, description: string, tag: string, path: Reference[]): Operation {
  return {
    operationId,
    summary,
    description: `${description}\n\nSend the inputs either as \`multipart/form-data\` (a file field per file input, a JSON text per JSON input, \`params\` as JSON text) or as \`application/json\` (\`{ "inputs": { name: { "base64": ... } | { "value": ... } }, "params": {...} }\`). The answer is 202 with the job and its \`Location\`; follow it with the events, or ask to wait with \`Prefer: wait=N\`. Without a key, the server answers an owner cookie: the job belongs to whoever holds it.`,
    tags: [tag],
    security: OPTIONAL_CALLER,
    parameters: [...path, parameter('IdempotencyKey'), parameter('PreferWait')],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: ref('MultipartSubmission'),
          encoding: { params: { contentType: 'application/json' } },
        },
        'application/json': { schema: ref('JsonSubmission') },
      },
    },
    responses: {
      200: ok('the job, when it ended within the wait asked for (`Prefer: wait`), or the earlier job of the same `Idempotency-Key`', ref('Job'), SUBMITTED_HEADERS),
      202: ok('accepted: the job, queued or running', ref('Job'), SUBMITTED_HEADERS),
      ...errors(400, 401, 404, 413, 415, 422, 429, 500, 503, 507),
    },
  };
}

const DOWNLOAD_CONTENT = {
  'image/*': { schema: { type: 'string', format: 'binary' } },
  'application/json': { schema: { description: 'the JSON value' } },
} satisfies Response['content'];

export const API_PATHS: Record<string, PathItem> = {
  '/api/v1/services': {
    get: {
      operationId: 'listServices',
      summary: 'List the services',
      description: 'Every registered service with its tasks (inputs, parameter schema, outputs), instances and whether it is available now.',
      tags: ['services'],
      security: OPTIONAL_CALLER,
      responses: { 200: ok('the services', { type: 'array', items: ref('Service') }), ...ALWAYS },
    },
  },
  '/api/v1/services/{name}': {
    get: {
      operationId: 'getService',
      summary: 'Get a service',
      description: 'One service: its tasks (inputs, parameter schema, outputs), instances and status.',
      tags: ['services'],
      security: OPTIONAL_CALLER,
      parameters: [parameter('ServiceName')],
      responses: { 200: ok('the service', ref('Service')), ...errors(400, 401, 404, 500) },
    },
  },
  '/api/v1/services/{name}/tasks/{task}/jobs': {
    post: submitOperation('runTask', 'Run one task', 'Runs one task of a service alone, as a job of one step.', 'services', [parameter('ServiceName'), parameter('TaskName')]),
  },
  '/api/v1/pipelines': {
    get: {
      operationId: 'listPipelines',
      summary: 'List the pipelines',
      description: 'Every pipeline, built-in and saved, with whether it can run now and why not.',
      tags: ['pipelines'],
      security: OPTIONAL_CALLER,
      responses: { 200: ok('the pipelines', { type: 'array', items: ref('PipelineSummary') }), ...READS_STORE },
    },
    post: {
      operationId: 'createPipeline',
      summary: 'Create a pipeline (admin)',
      description: 'Saves a new pipeline after checking it whole: its shape, the services and tasks it calls, the references between steps and the parameters of each step.',
      tags: ['pipelines'],
      security: ADMIN,
      requestBody: { required: true, content: json(ref('PipelineDefinition')) },
      responses: {
        201: ok('created', ref('Pipeline'), { Location: { description: 'where the pipeline is: `/api/v1/pipelines/{id}`', required: true, schema: { type: 'string' } } }),
        ...errors(400, 401, 403, 409, 413, 415, 422, 500, 503, 507),
      },
    },
  },
  '/api/v1/pipelines/validate': {
    post: {
      operationId: 'validatePipeline',
      summary: 'Check a pipeline without saving it',
      description: 'Answers every problem of a definition, each with its path (`steps[1].params.width`); nothing is saved. Any JSON is taken: what is wrong with it is the answer.',
      tags: ['pipelines'],
      security: OPTIONAL_CALLER,
      requestBody: { required: true, content: json({ description: 'a pipeline definition, or what is meant to be one' }) },
      responses: { 200: ok('the problems found (none when it is valid)', ref('ValidationResult')), ...errors(400, 401, 413, 415, 500, 503) },
    },
  },
  '/api/v1/pipelines/{id}': {
    get: {
      operationId: 'getPipeline',
      summary: 'Get a pipeline',
      description: 'One pipeline with its definition.',
      tags: ['pipelines'],
      security: OPTIONAL_CALLER,
      parameters: [parameter('PipelineId')],
      responses: { 200: ok('the pipeline', ref('Pipeline')), ...errors(400, 401, 404, 500, 503) },
    },
    put: {
      operationId: 'replacePipeline',
      summary: 'Replace a pipeline (admin)',
      description: 'Replaces a saved pipeline, checked as on create; built-in pipelines are read-only. Jobs already submitted keep the definition they were submitted with.',
      tags: ['pipelines'],
      security: ADMIN,
      parameters: [parameter('PipelineId')],
      requestBody: { required: true, content: json(ref('PipelineDefinition')) },
      responses: { 200: ok('replaced', ref('Pipeline')), ...errors(400, 401, 403, 404, 409, 413, 415, 422, 500, 503, 507) },
    },
    delete: {
      operationId: 'deletePipeline',
      summary: 'Delete a pipeline (admin)',
      description: 'Deletes a saved pipeline; jobs already submitted keep running. Built-in pipelines are read-only.',
      tags: ['pipelines'],
      security: ADMIN,
      parameters: [parameter('PipelineId')],
      responses: { 204: { description: 'deleted' }, ...errors(400, 401, 403, 404, 409, 500, 503, 507) },
    },
  },
  '/api/v1/pipelines/{id}/jobs': {
    post: submitOperation('submitJob', 'Run a pipeline', 'Submits a job of the pipeline.', 'pipelines', [parameter('PipelineId')]),
  },
  '/api/v1/jobs': {
    get: {
      operationId: 'listJobs',
      summary: 'List jobs',
      description: 'Your jobs (every job, for an admin key), newest first, filtered by status and pipeline, a page at a time.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [
        { name: 'status', in: 'query', description: 'only jobs in this status', schema: ref('JobStatus') },
        { name: 'pipelineId', in: 'query', description: 'only jobs of this pipeline', schema: { type: 'string', maxLength: 200 } },
        { name: 'limit', in: 'query', description: 'jobs per page', schema: { type: 'integer', ...JOB_LIST_LIMIT } },
        { name: 'offset', in: 'query', description: 'jobs to skip', schema: { type: 'integer', ...JOB_LIST_OFFSET } },
      ],
      responses: { 200: ok('a page of jobs', ref('JobPage')), ...errors(400, 401, 500, 503) },
    },
  },
  '/api/v1/jobs/{id}': {
    get: {
      operationId: 'getJob',
      summary: 'Get a job',
      description:
        'One job with its steps, inputs and outputs. `fields` answers only some of it; the `ETag` lets a poll get 304 while nothing changed (`If-None-Match`); `Prefer: wait=N` answers once the job has ended, or after N seconds.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [
        parameter('JobId'),
        {
          name: 'fields',
          in: 'query',
          description: `only these fields, comma-separated: ${JOB_FIELDS.join(', ')}`,
          schema: { type: 'string', pattern: '^[a-zA-Z]+(,[a-zA-Z]+)*$' },
          example: 'status,seq',
        },
        parameter('PreferWait'),
        { name: 'If-None-Match', in: 'header', description: 'the ETag of the last answer: 304 while the job has not changed', schema: { type: 'string' } },
      ],
      responses: {
        200: ok('the job (only the fields asked for, with `fields`)', { anyOf: [ref('Job'), ref('JobFields')] }, {
          ETag: { description: 'changes whenever the job does', required: true, schema: { type: 'string' } },
          'Preference-Applied': { description: '`wait=N`: how long the server waited', schema: { type: 'string' } },
        }),
        304: { description: 'not changed since the `If-None-Match` ETag', headers: { ETag: { description: 'the same ETag', required: true, schema: { type: 'string' } } } },
        ...errors(400, 401, 404, 500, 503),
      },
    },
    delete: {
      operationId: 'deleteJob',
      summary: 'Delete a job',
      description: 'Deletes an ended job and its files (its owner, or an admin key). A queued or running job must be cancelled first.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [parameter('JobId')],
      responses: { 204: { description: 'deleted' }, ...errors(400, 401, 404, 409, 500, 503, 507) },
    },
  },
  '/api/v1/jobs/{id}/cancel': {
    post: {
      operationId: 'cancelJob',
      summary: 'Cancel a job',
      description: 'Cancels a queued or running job: steps running are told to stop, the job ends `cancelled`.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [parameter('JobId')],
      responses: { 200: ok('the job as it is now', ref('Job')), ...errors(400, 401, 404, 409, 413, 415, 500, 503, 507) },
    },
  },
  '/api/v1/jobs/{id}/events': {
    get: {
      operationId: 'jobEvents',
      summary: 'Follow a job live',
      description: `Server-Sent Events of the job, from its first change (or after \`Last-Event-ID\`) until it ends; then the stream closes. Each event has \`id\` (its \`seq\`), \`event\` (its type: ${Object.values(JobEventType).join(', ')}) and \`data\` (a JSON \`JobEvent\`).`,
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [
        parameter('JobId'),
        { name: 'Last-Event-ID', in: 'header', description: 'resume after this event (its `seq`)', schema: { type: 'string', pattern: '^[0-9]+$' } },
      ],
      responses: {
        200: {
          description: 'the event stream; each `data` is a JobEvent',
          content: {
            'text/event-stream': {
              schema: {
                type: 'array',
                description: 'the events in the order sent; on the wire each is `id: <seq>`, `event: <type>`, `data: <JobEvent as JSON>` and a blank line',
                items: ref('JobStreamEvent'),
              },
            },
          },
        },
        ...errors(400, 401, 404, 500, 503),
      },
    },
  },
  '/api/v1/jobs/{id}/inputs/{name}': {
    get: {
      operationId: 'downloadInput',
      summary: 'Download an input',
      description: 'An input of the job as it was submitted: the file, or the JSON value.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [parameter('JobId'), { name: 'name', in: 'path', required: true, description: 'the input name', schema: { type: 'string' } }],
      responses: { 200: { description: 'the input', content: DOWNLOAD_CONTENT }, ...errors(400, 401, 404, 500, 503) },
    },
  },
  '/api/v1/jobs/{id}/outputs/{name}': {
    get: {
      operationId: 'downloadOutput',
      summary: 'Download an output',
      description: 'An output of a succeeded job: image bytes, or the JSON value. A for-each output is a list: `index` picks an item.',
      tags: ['jobs'],
      security: OPTIONAL_CALLER,
      parameters: [
        parameter('JobId'),
        { name: 'name', in: 'path', required: true, description: 'the output name', schema: { type: 'string' } },
        { name: 'index', in: 'query', description: 'the item of a for-each output', schema: { type: 'integer', ...OUTPUT_INDEX } },
      ],
      responses: { 200: { description: 'the output', content: DOWNLOAD_CONTENT }, ...errors(400, 401, 404, 500, 503) },
    },
  },
  '/api/v1/stats': {
    get: {
      operationId: 'stats',
      summary: 'Load of the engine',
      description: 'Jobs by status, the jobs this engine runs now, and the load of each service.',
      tags: ['system'],
      security: OPTIONAL_CALLER,
      responses: { 200: ok('the figures', ref('Stats')), ...READS_STORE },
    },
  },
  '/health/live': {
    get: {
      operationId: 'live',
      summary: 'Liveness',
      description: 'The process answers.',
      tags: ['system'],
      security: PUBLIC,
      responses: { 200: ok('alive', ref('Live')) },
    },
  },
  '/health/ready': {
    get: {
      operationId: 'ready',
      summary: 'Readiness',
      description: 'Whether the store answers, and which services are available; 503 while the store does not answer.',
      tags: ['system'],
      security: PUBLIC,
      responses: { 200: ok('ready', ref('Readiness')), 503: ok('not ready: the store does not answer', ref('Readiness')) },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description: 'Jobs submitted and ended, step durations, queue and service figures, in the Prometheus text format.',
      tags: ['system'],
      security: PUBLIC,
      responses: { 200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
};

export const API_PARAMETERS: Record<string, Parameter> = {
  JobId: { name: 'id', in: 'path', required: true, description: 'the job id', schema: { type: 'string', format: 'uuid' } },
  PipelineId: { name: 'id', in: 'path', required: true, description: 'the pipeline id', schema: { type: 'string' }, example: 'thumbnail' },
  ServiceName: { name: 'name', in: 'path', required: true, description: 'the service name', schema: { type: 'string' }, example: 'image-processing' },
  TaskName: { name: 'task', in: 'path', required: true, description: 'the task name', schema: { type: 'string' }, example: 'blur' },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description: 'a retried submit with the same key answers the same job (200) instead of a second one; the same key with other content is refused (422)',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
  },
  PreferWait: {
    name: 'Prefer',
    in: 'header',
    description: '`wait=N`: answer once the job has ended, or after N seconds (at most MAX_WAIT_SECONDS)',
    schema: { type: 'string' },
    example: 'wait=30',
  },
};
