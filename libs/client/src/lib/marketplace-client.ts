import type {
  ApiError,
  JobEvent,
  JobPageView,
  JobStatus,
  JobView,
  PipelineDefinition,
  PipelineSummary,
  PipelineView,
  Problem,
  ServiceView,
  StatsView,
  ValidationResult,
} from '@aim/contracts';
import { ApiAnswer, ApiJsonBody, API_ROUTES, RouteName } from './api-routes';
import type { components } from './api-types.generated';

/** An error answered by the API (or the network), with the API's stable code and problems. */
export class MarketplaceApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'MarketplaceApiError';
  }
}

export interface ClientOptions {
  /** Where the API is, e.g. `http://localhost:3000`; empty for the page's own origin. */
  baseUrl?: string;
  /** An API key: a user key owns the jobs it submits; an admin key also writes pipelines and sees every job. */
  apiKey?: string;
  /**
   * Without a key, the server makes the caller the owner of its jobs through a cookie. A browser keeps
   * it by itself; in Node the client keeps it here (pass one in to go on with an earlier owner).
   */
  owner?: OwnerCookieJar;
  fetch?: typeof fetch;
}

/** Where a Node client keeps the owner cookie the server answered (`aim_owner=...`). */
export interface OwnerCookieJar {
  cookie?: string;
}

export interface JobSubmission {
  /** Input name → file (Blob, File, or bytes). */
  files?: Record<string, Blob | Uint8Array>;
  /** Input name → JSON value, for JSON inputs. */
  values?: Record<string, unknown>;
  params?: Record<string, unknown>;
  webhookUrl?: string;
  idempotencyKey?: string;
}

export interface JobFilter {
  status?: JobStatus;
  pipelineId?: string;
  limit?: number;
  offset?: number;
}

/**
 * A typed client of the marketplace HTTP API, for the webapp, the CLI and programs (browser or Node
 * 20+: it needs only fetch, FormData and Blob).
 */
export class MarketplaceClient {
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly owner: OwnerCookieJar;

  constructor(private readonly options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.fetcher = options.fetch ?? ((...args) => fetch(...args));
    this.owner = options.owner ?? {};
  }

  /** The owner cookie this client holds (Node only; a browser keeps its own). */
  get ownerCookie(): string | undefined {
    return this.owner.cookie;
  }

  withApiKey(apiKey: string | undefined): MarketplaceClient {
    return new MarketplaceClient({ ...this.options, apiKey, owner: this.owner });
  }

  // Each answer's type is the document's (ApiAnswer); that it is also the contract's type is checked here.
  services = (): Promise<ServiceView[]> => this.json('listServices');
  service = (name: string): Promise<ServiceView> => this.json('getService', { name });
  pipelines = (): Promise<PipelineSummary[]> => this.json('listPipelines');
  pipeline = (id: string): Promise<PipelineView> => this.json('getPipeline', { id });
  validatePipeline = (definition: unknown): Promise<ValidationResult> => this.json('validatePipeline', {}, { body: definition });
  createPipeline = (definition: PipelineDefinition): Promise<PipelineView> => this.json('createPipeline', {}, { body: definition });
  replacePipeline = (id: string, definition: PipelineDefinition): Promise<PipelineView> => this.json('replacePipeline', { id }, { body: definition });
  deletePipeline = (id: string): Promise<void> => this.json('deletePipeline', { id });
  jobs = (filter: JobFilter = {}): Promise<JobPageView> => this.json('listJobs', {}, { query: { ...filter } });
  cancelJob = (id: string): Promise<JobView> => this.json('cancelJob', { id });
  deleteJob = (id: string): Promise<void> => this.json('deleteJob', { id });
  stats = (): Promise<StatsView> => this.json('stats');

  /** A job, whole (this client never asks for some fields only). */
  async job(id: string): Promise<JobView> {
    const answer = await this.json('getJob', { id });
    if (!isWholeJob(answer)) throw new MarketplaceApiError(200, 'UNEXPECTED_ANSWER', `the answer for job ${id} lacks fields of a job`);
    return answer;
  }

  submitJob(pipelineId: string, submission: JobSubmission): Promise<JobView> {
    return this.json('submitJob', { id: pipelineId }, this.jobBody(submission));
  }

  runTask(service: string, task: string, submission: JobSubmission): Promise<JobView> {
    return this.json('runTask', { name: service, task }, this.jobBody(submission));
  }

  /** The URL of an output (for an `<img src>`); `index` picks an item of a for-each output. */
  outputUrl(jobId: string, name: string, index?: number): string {
    return this.url('downloadOutput', { id: jobId, name }, index === undefined ? {} : { index });
  }

  /** The URL of an input as submitted (to show the photo a result is drawn over). */
  inputUrl(jobId: string, name: string): string {
    return this.url('downloadInput', { id: jobId, name });
  }

  async downloadOutput(jobId: string, name: string, index?: number): Promise<{ contentType: string; data: Uint8Array }> {
    const response = await this.send('GET', this.outputUrl(jobId, name, index));
    return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', data: new Uint8Array(await response.arrayBuffer()) };
  }

  /**
   * Follows a job's events (Server-Sent Events) until it ends or `signal` aborts; resolves with the
   * last event. Events arrive in order, each once.
   */
  async followJob(jobId: string, onEvent: (event: JobEvent) => void, signal?: AbortSignal): Promise<JobEvent | undefined> {
    const response = await this.send('GET', this.url('jobEvents', { id: jobId }), { headers: { accept: 'text/event-stream' }, signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let last: JobEvent | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return last;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (!data) continue;
        last = JSON.parse(data) as JobEvent;
        onEvent(last);
      }
    }
  }

  private jobBody(submission: JobSubmission): { form: FormData; headers: Record<string, string> } {
    const form = new FormData();
    for (const [name, file] of Object.entries(submission.files ?? {})) {
      form.append(name, file instanceof Blob ? file : new Blob([new Uint8Array(file)]), file instanceof File ? file.name : name);
    }
    for (const [name, value] of Object.entries(submission.values ?? {})) form.append(name, JSON.stringify(value));
    if (submission.params && Object.keys(submission.params).length) form.append('params', JSON.stringify(submission.params));
    if (submission.webhookUrl) form.append('webhookUrl', submission.webhookUrl);
    return { form, headers: submission.idempotencyKey ? { 'idempotency-key': submission.idempotencyKey } : {} };
  }

  private url(route: RouteName, params: Record<string, string> = {}, query: Record<string, string | number | undefined> = {}): string {
    const path = API_ROUTES[route].path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
    const search = Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join('&');
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  private async json<Route extends RouteName>(
    route: Route,
    params: Record<string, string> = {},
    options: { body?: ApiJsonBody<Route>; form?: FormData; headers?: Record<string, string>; query?: Record<string, string | number | undefined> } = {},
  ): Promise<ApiAnswer<Route>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: RequestInit['body'] | undefined = options.form;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await this.send(API_ROUTES[route].method.toUpperCase(), this.url(route, params, options.query), { headers, body });
    // The one place an answer is taken to be what the document says it is: response.json() is untyped.
    return (response.status === 204 ? undefined : await response.json()) as ApiAnswer<Route>;
  }

  private async send(method: string, url: string, init: { headers?: Record<string, string>; body?: RequestInit['body']; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    else if (this.owner.cookie) headers['cookie'] = this.owner.cookie;
    let response: Response;
    try {
      response = await this.fetcher(url, { method, headers, body: init.body, signal: init.signal });
    } catch (error) {
      throw new MarketplaceApiError(0, 'UNREACHABLE', `the marketplace at ${this.baseUrl || 'this site'} cannot be reached: ${(error as Error).message}`);
    }
    // Readable in Node only: browsers never show Set-Cookie to scripts (and keep the cookie themselves).
    const owner = response.headers.getSetCookie?.().find((cookie) => cookie.startsWith('aim_owner='));
    if (owner) this.owner.cookie = owner.split(';')[0];
    if (!response.ok) {
      const answer = (await response.json().catch(() => undefined)) as ApiError | undefined;
      throw new MarketplaceApiError(response.status, answer?.code ?? `HTTP_${response.status}`, answer?.message ?? response.statusText, answer?.problems);
    }
    return response;
  }
}

/** The fields every whole job has, that an answer of some fields (`?fields=`) may lack. */
function isWholeJob(job: ApiAnswer<'getJob'>): job is components['schemas']['Job'] {
  return ['id', 'pipelineId', 'status', 'createdAt', 'updatedAt', 'params', 'inputs', 'outputs', 'steps', 'seq'].every((field) => field in job);
}
