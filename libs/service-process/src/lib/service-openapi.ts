import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode, ServiceDescriptor, TaskDescriptor } from '@aim/contracts';

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

function taskOperation(service: ServiceDescriptor, task: TaskDescriptor) {
  const files = task.outputs.filter((output) => output.contentType !== 'application/json');
  const answersFile = task.outputs.length === 1 && files.length === 1;
  const ok = answersFile
    ? { description: `the ${files[0].name}`, content: { [files[0].contentType]: { schema: { type: 'string', format: 'binary' } } } }
    : {
        description: 'the outputs by name',
        content: {
          'application/json': {
            schema: { type: 'object', properties: Object.fromEntries(task.outputs.map((output) => [output.name, { description: output.description ?? output.contentType }])) },
          },
        },
      };
  return {
    post: {
      operationId: task.name,
      summary: task.summary,
      description: `${service.name} ${service.version}: runs the task on the image sent, here and now (no job is kept).`,
      tags: [service.name],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: task.inputs.map((input) => input.name),
              properties: {
                ...Object.fromEntries(
                  task.inputs.map((input) => [input.name, { type: 'string', format: 'binary', description: `${input.description ?? 'the file'} (${input.contentTypes.join(', ')})` }]),
                ),
                params: { type: 'string', description: 'the parameters as JSON text, as the JSON Schema in x-params-schema says', example: '{}' },
              },
            },
          },
        },
      },
      'x-params-schema': task.params,
      responses: {
        200: ok,
        400: errorResponse('malformed request: params not JSON, parameters the schema refuses'),
        404: errorResponse('no such task'),
        413: errorResponse('the file is larger than MAX_UPLOAD_BYTES'),
        415: errorResponse('not a JPEG, PNG or WebP image'),
        422: errorResponse('an image that cannot be read, or with more pixels than MAX_IMAGE_PIXELS'),
        429: errorResponse('the service holds as many calls as it takes'),
      },
    },
  };
}

/** The OpenAPI document of a service process's own HTTP face, made from its descriptor. */
export function serviceOpenApi(service: ServiceDescriptor): OpenAPIObject {
  return {
    openapi: '3.0.3',
    info: { title: `AI Marketplace service: ${service.name}`, version: service.version, description: service.summary },
    paths: {
      ...Object.fromEntries(service.tasks.map((task) => [`/tasks/${task.name}`, taskOperation(service, task)])),
      '/health/live': { get: { operationId: 'live', summary: 'The process answers', responses: { 200: { description: 'alive' } } } },
      '/health/ready': { get: { operationId: 'ready', summary: 'Models loaded, announced, connected to the broker', responses: { 200: { description: 'ready' }, 503: { description: 'not ready yet' } } } },
      '/metrics': { get: { operationId: 'metrics', summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', enum: Object.values(ErrorCode) },
            message: { type: 'string' },
            problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  } as OpenAPIObject;
}
