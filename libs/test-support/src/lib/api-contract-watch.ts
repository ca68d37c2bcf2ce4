import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { OpenApiResponseValidator } from './openapi-response-validator';

/** Where the engine serves its OpenAPI document. */
const DOCUMENT_PATH = '/api/docs-json';

/** Answers checked against the OpenAPI document as they leave; `take()` hands over what did not match. */
export interface ApiContractWatch {
  take(): string[];
}

const watches = new Set<ApiContractWatch>();

// Registered as this module loads (hooks cannot be added once tests run): the running test fails when an
// answer it received did not match the document. Each watch hands over what it saw since the last test.
// Outside jest (the benchmarks load this library too) there is no hook to register, and no watch.
const jestHooks = globalThis as { afterEach?: (hook: () => void) => void };
jestHooks.afterEach?.(() => {
  const problems = [...watches].flatMap((each) => each.take());
  if (problems.length) throw new Error(`answers that do not match the OpenAPI document:\n${problems.join('\n')}`);
});

type Headers = Record<string, string | string[] | number | undefined>;

/** Keeps what a response sends (headers given to writeHead too, which getHeaders() may not show) and hands it over when it is sent. */
function capture(response: ServerResponse, done: (headers: Headers, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const headers: Headers = {};
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  };
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    const given = rest.find((arg) => typeof arg === 'object' && arg !== null);
    if (Array.isArray(given)) for (let i = 0; i + 1 < given.length; i += 2) headers[String(given[i]).toLowerCase()] = given[i + 1] as string;
    else if (given) for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value as string;
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  response.once('finish', () => done({ ...response.getHeaders(), ...headers }, Buffer.concat(chunks)));
}

class Watch implements ApiContractWatch {
  private problems: string[] = [];
  constructor(private readonly validator: OpenApiResponseValidator) {}

  record(request: IncomingMessage, response: ServerResponse, headers: Headers, body: Buffer): void {
    this.problems.push(...this.validator.check({ method: request.method ?? 'GET', url: request.url ?? '/', status: response.statusCode, headers, body }));
  }

  take(): string[] {
    const taken = this.problems;
    this.problems = [];
    return taken;
  }
}

async function documentOf(baseUrl: string): Promise<OpenApiResponseValidator> {
  const answer = await fetch(`${baseUrl}${DOCUMENT_PATH}`);
  if (!answer.ok) throw new Error(`no OpenAPI document at ${baseUrl}${DOCUMENT_PATH}: ${answer.status}`);
  return new OpenApiResponseValidator((await answer.json()) as object);
}

/**
 * Watches every answer of an in-process HTTP server (what supertest talks to) against `document`: the
 * one the server serves, or the one it is built from for an app that serves none.
 */
export function watchApiContract(server: Server, document: object): ApiContractWatch {
  const watch = new Watch(new OpenApiResponseValidator(document));
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => capture(response, (headers, body) => watch.record(request, response, headers, body)));
  watches.add(watch);
  return watch;
}

export interface ValidatingProxy extends ApiContractWatch {
  /** Where to send requests instead of the server. */
  url: string;
  close(): Promise<void>;
}

/**
 * A validating proxy in front of a server running in another process: requests pass through as they are,
 * answers are checked against the document the server serves on their way back.
 */
export async function startValidatingProxy(target: string): Promise<ValidatingProxy> {
  const watch = new Watch(await documentOf(target));
  const upstream = new URL(target);
  const proxy = createServer((request, response) => {
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        capture(response, (headers, body) => watch.record(request, response, headers, body));
        response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    response.on('close', () => forwarded.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  // A test that ends its server by other means (a launcher's own stop) must not be kept alive by the proxy.
  proxy.unref();
  watches.add(watch);
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    take: () => watch.take(),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
