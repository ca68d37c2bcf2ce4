import type { operations, paths } from './api-types.generated';

/**
 * Every operation of the OpenAPI document, by its id, with its route. Typed against the types generated
 * from the document: an operation left out, or a path that is not the document's, does not compile.
 */
export const API_ROUTES = {
  listServices: { method: 'get', path: '/api/v1/services' },
  getService: { method: 'get', path: '/api/v1/services/{name}' },
  runTask: { method: 'post', path: '/api/v1/services/{name}/tasks/{task}/jobs' },
  listPipelines: { method: 'get', path: '/api/v1/pipelines' },
  getPipeline: { method: 'get', path: '/api/v1/pipelines/{id}' },
  validatePipeline: { method: 'post', path: '/api/v1/pipelines/validate' },
  createPipeline: { method: 'post', path: '/api/v1/pipelines' },
  replacePipeline: { method: 'put', path: '/api/v1/pipelines/{id}' },
  deletePipeline: { method: 'delete', path: '/api/v1/pipelines/{id}' },
  submitJob: { method: 'post', path: '/api/v1/pipelines/{id}/jobs' },
  listJobs: { method: 'get', path: '/api/v1/jobs' },
  getJob: { method: 'get', path: '/api/v1/jobs/{id}' },
  cancelJob: { method: 'post', path: '/api/v1/jobs/{id}/cancel' },
  deleteJob: { method: 'delete', path: '/api/v1/jobs/{id}' },
  jobEvents: { method: 'get', path: '/api/v1/jobs/{id}/events' },
  downloadOutput: { method: 'get', path: '/api/v1/jobs/{id}/outputs/{name}' },
  downloadInput: { method: 'get', path: '/api/v1/jobs/{id}/inputs/{name}' },
  stats: { method: 'get', path: '/api/v1/stats' },
  live: { method: 'get', path: '/health/live' },
  ready: { method: 'get', path: '/health/ready' },
  metrics: { method: 'get', path: '/metrics' },
} as const satisfies { [Operation in keyof operations]: { method: 'get' | 'post' | 'put' | 'delete'; path: keyof paths } };

export type RouteName = keyof typeof API_ROUTES;

type Responses<Route extends RouteName> = operations[Route]['responses'];
type Success<Route extends RouteName> = keyof Responses<Route> & (200 | 201 | 202 | 204);
type JsonContent<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : void;

/** What a route answers when it succeeds, as the document says: its JSON body, or nothing (204). */
export type ApiAnswer<Route extends RouteName> = { [Status in Success<Route>]: JsonContent<Responses<Route>[Status]> }[Success<Route>];

/** The JSON body a route takes, as the document says. */
export type ApiJsonBody<Route extends RouteName> = operations[Route] extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;
