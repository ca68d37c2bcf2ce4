import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** An HTTP answer as a test received it. */
export interface ObservedResponse {
  method: string;
  /** The request path, with its query. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

interface Operation {
  responses: Record<string, { $ref?: string; headers?: Record<string, { required?: boolean; schema?: { type?: string } }>; content?: Record<string, unknown> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** Paths the document is about; anything else (the webapp's pages and files, Swagger UI) is not checked. */
const API_PATH = /^\/(api\/v1|health|metrics)(\/|$)/;

/** What a request for a route that does not exist may be answered: 404, or the refusal of a body that cannot be read. */
const UNKNOWN_ROUTE_ANSWERS: Record<number, string> = { 404: 'NotFound', 400: 'BadRequest', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType' };

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks real answers against an OpenAPI 3.1 document, as a validating proxy would: the route and status
 * must be documented, the body must match the schema of its media type (JSON, Server-Sent Events), and
 * the headers the document says are always sent must be there. Answers on unknown API paths must be the
 * API's 404 error.
 */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: { template: string; pattern: RegExp; literal: number }[];

  private readonly document: OpenApiDocument;

  /** `document`: a valid OpenAPI 3.1 document (api-contract.spec checks the served one with swagger-parser). */
  constructor(document: object) {
    this.document = document as OpenApiDocument;
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(document as object, 'openapi.json');
    this.routes = Object.keys(this.document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
        literal: template.replace(/\{\w+\}/g, '').length,
      }))
      // `/pipelines/validate` before `/pipelines/{id}`.
      .sort((a, b) => b.literal - a.literal);
  }

  /** What is wrong with the answer; empty when it matches the document. */
  check(response: ObservedResponse): string[] {
    const method = response.method.toLowerCase();
    // Express routes are not strict: `/api/v1/jobs/` is `/api/v1/jobs`.
    const path = response.url.split('?')[0].replace(/(.)\/$/, '$1');
    if (!API_PATH.test(path) || method === 'head' || method === 'options') return [];
    const where = `${response.method} ${response.url.slice(0, 200)} → ${response.status}`;
    const route = this.routes.find((candidate) => candidate.pattern.test(path) && this.document.paths[candidate.template][method]);
    if (!route) {
      // No such route: the API's own 404, unless the body was refused first (it is read before routing).
      const answer = UNKNOWN_ROUTE_ANSWERS[response.status];
      if (!answer) return [`${where}: a route the document does not have answered ${response.status}, not 404`];
      return this.checkJson(where, response, `openapi.json#/components/responses/${answer}/content/application~1json/schema`);
    }
    const responses = this.document.paths[route.template][method].responses;
    let responsePointer = `openapi.json#/${pointer('paths', route.template, method, 'responses', String(response.status))}`;
    let documented = responses[String(response.status)];
    if (!documented) return [`${where}: status ${response.status} is not documented for ${method.toUpperCase()} ${route.template}`];
    if (documented.$ref) {
      responsePointer = `openapi.json${documented.$ref}`;
      documented = this.resolve(documented.$ref) as typeof documented;
    }
    const problems: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (header.required && value === undefined) problems.push(`${where}: the header ${name} is missing`);
      if (value !== undefined && header.schema?.type === 'integer' && !/^\d+$/.test(String(value))) problems.push(`${where}: the header ${name} is not an integer: ${value}`);
    }
    const contentType = String(response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const media = Object.keys(documented.content ?? {});
    if (!media.length) {
      if (response.body.length) problems.push(`${where}: a body (${contentType}) where the document says none`);
      return problems;
    }
    const matched = media.find((type) => type === contentType || (type.endsWith('/*') && contentType.startsWith(type.slice(0, -1))));
    if (!matched) return [...problems, `${where}: answered ${contentType || 'no media type'}, documented ${media.join(', ')}`];
    const schema = `${responsePointer}/content/${pointer(matched)}/schema`;
    if (matched === 'application/json') return [...problems, ...this.checkJson(where, response, schema)];
    if (matched === 'text/event-stream') return [...problems, ...this.checkValue(where, parseEventStream(response.body.toString('utf8')), schema)];
    return problems;
  }

  private checkJson(where: string, response: ObservedResponse, schema: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(response.body.toString('utf8'));
    } catch {
      return [`${where}: the body is not JSON: ${response.body.toString('utf8').slice(0, 100)}`];
    }
    return this.checkValue(where, value, schema);
  }

  private checkValue(where: string, value: unknown, schema: string): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) this.compiled.set(schema, (validate = this.ajv.compile({ $ref: schema })));
    if (validate(value)) return [];
    return [`${where}: the body does not match the document: ${this.ajv.errorsText(validate.errors, { separator: '; ' })} in ${JSON.stringify(value).slice(0, 300)}`];
  }

  private resolve(ref: string): unknown {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
  }
}

/** A Server-Sent Events text as `{ id, event, data }` items, `data` read as JSON. */
export function parseEventStream(text: string): { id?: string; event?: string; data?: unknown }[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() && !block.split('\n').every((line) => line.startsWith(':')))
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        fields[name] = name in fields ? `${fields[name]}\n${value}` : value;
      }
      let data: unknown = fields['data'];
      try {
        data = JSON.parse(fields['data']);
      } catch {
        // left as text: the schema says what is wrong with it
      }
      return { ...(fields['id'] !== undefined ? { id: fields['id'] } : {}), ...(fields['event'] !== undefined ? { event: fields['event'] } : {}), data };
    });
}
