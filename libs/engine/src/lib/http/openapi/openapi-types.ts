/**
 * The parts of OpenAPI 3.1 this document uses, typed so that an operation cannot leave out what a reader
 * and a client generator need (an id, a summary, a description, its tags, who may call it).
 */

/** A JSON Schema (2020-12) or a `$ref` to one. */
export type Schema = { $ref?: string; type?: string; description?: string } & { [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export interface Header {
  description: string;
  /** Sent with every answer of its status. */
  required?: boolean;
  schema: Schema;
}

export interface MediaType {
  schema: Schema;
  encoding?: Record<string, { contentType: string }>;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description: string;
  schema: Schema;
  example?: unknown;
}

/** Empty: no credential needed; `{}` among others: a credential is optional. */
export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: (Parameter | Reference)[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response | Reference>;
}

export type PathItem = Partial<Record<'get' | 'put' | 'post' | 'delete', Operation>>;
