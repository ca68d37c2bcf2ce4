import { API_PARAMETERS, API_PATHS } from './api-paths';
import { errorResponseComponents } from './api-responses';
import { API_SCHEMAS } from './api-schemas';

/** Where the document is served, next to Swagger UI at `/api/docs`. */
export const OPENAPI_JSON_PATH = '/api/docs-json';

/**
 * The OpenAPI 3.1 document of the engine's HTTP API, written out rather than scanned from the
 * controllers: both request bodies of a submit, every error each route answers and the SSE stream
 * cannot be said with decorators. A test keeps it and the server's routes the same.
 */
export function engineOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI Marketplace',
      version: '1',
      summary: 'Run AI services on your own images, alone or chained into pipelines.',
      description:
        'Submit a job (a pipeline, or one task of a service) with your image, follow it live, download its outputs.\n\n' +
        'Every error answers `{ code, message, problems? }`: branch on the stable `code`; the message says what to change.\n\n' +
        'Credentials are optional for most routes: without one, the server answers an owner cookie and the jobs belong to whoever holds it; ' +
        'with an API key (`X-API-Key`, or `Authorization: Bearer`), they belong to the key. Writing pipelines needs an admin key.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'the server that serves this document' }],
    tags: [
      { name: 'services', description: 'the AI and image services, and running one of their tasks alone' },
      { name: 'pipelines', description: 'graphs of service tasks, and running them' },
      { name: 'jobs', description: 'submitted work: its state, live events, inputs and outputs' },
      { name: 'system', description: 'health, figures and metrics' },
    ],
    paths: API_PATHS,
    components: {
      schemas: API_SCHEMAS,
      responses: errorResponseComponents(),
      parameters: API_PARAMETERS,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'an API key (API_KEYS, or ADMIN_API_KEY for admin routes)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'the same API key, as `Authorization: Bearer <key>`' },
        ownerCookie: { type: 'apiKey', in: 'cookie', name: 'aim_owner', description: 'the owner cookie the server answers to a caller without key' },
      },
    },
  };
}
