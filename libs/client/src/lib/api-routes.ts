/** Every route the client calls, as the OpenAPI document names it: a test checks both against each other. */
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
} as const;

export type RouteName = keyof typeof API_ROUTES;
