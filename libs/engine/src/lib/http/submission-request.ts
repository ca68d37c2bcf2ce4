import type { Request } from 'express';
import { ErrorCode, MarketplaceError, MAX_JSON_DEPTH, nestsDeeperThan } from '@aim/contracts';
import { parseJsonField } from '@aim/http-errors';
import { SubmittedInput, SubmitRequest } from '../jobs/job-submission.service';
import { IDEMPOTENCY_KEY_PATTERN } from './openapi/api-schemas';

const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * Reads a job submission from either shape the API takes:
 * multipart (one file field per input, `params` as a JSON text, `webhookUrl`) or JSON
 * (`{ inputs: { name: { base64 } | { value } }, params, webhookUrl }`).
 */
export function readSubmission(pipelineId: string, request: Request, files: Express.Multer.File[] = []): SubmitRequest {
  const idempotencyKey = request.header('idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new MarketplaceError(ErrorCode.ValidationFailed, 'the Idempotency-Key header must be 1-200 letters, digits or . _ : -');
  }
  let submission: SubmitRequest;
  if (request.is('multipart/form-data')) submission = fromMultipart(pipelineId, request, files, idempotencyKey);
  else if (request.is('application/json')) submission = fromJson(pipelineId, request.body, idempotencyKey);
  else throw new MarketplaceError(ErrorCode.UnsupportedMediaType, 'send the job as multipart/form-data (one file per input) or as application/json');
  const values = [['params', submission.params], ...Object.entries(submission.inputs).map(([name, input]) => [`inputs.${name}`, input.value])];
  for (const [path, value] of values) {
    if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
      throw new MarketplaceError(ErrorCode.ValidationFailed, `${path} nests deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON`, {
        problems: [{ path: path as string, message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
      });
    }
  }
  return submission;
}

function fromMultipart(pipelineId: string, request: Request, files: Express.Multer.File[], idempotencyKey?: string): SubmitRequest {
  const fields = (request.body ?? {}) as Record<string, string | string[]>;
  const inputs = new Map<string, SubmittedInput>();
  const sentTwice = (name: string) => new MarketplaceError(ErrorCode.ValidationFailed, `the field "${name}" was sent twice; send each input and field once`);
  for (const file of files) {
    if (inputs.has(file.fieldname)) throw sentTwice(file.fieldname);
    inputs.set(file.fieldname, { data: file.buffer });
  }
  for (const [name, value] of Object.entries(fields)) if (Array.isArray(value) || inputs.has(name)) throw sentTwice(name);
  const { params, webhookUrl, ...rest } = fields as Record<string, string>;
  for (const [name, text] of Object.entries(rest)) inputs.set(name, { value: parseJsonField(text, name) });
  return {
    pipelineId,
    inputs: Object.fromEntries(inputs),
    params: params === undefined ? {} : asObject(parseJsonField(params, 'params'), 'params'),
    webhookUrl,
    idempotencyKey,
  };
}

function fromJson(pipelineId: string, body: unknown, idempotencyKey?: string): SubmitRequest {
  const object = asObject(body, 'body');
  const unknown = Object.keys(object).filter((key) => !['inputs', 'params', 'webhookUrl'].includes(key));
  if (unknown.length) {
    throw new MarketplaceError(ErrorCode.ValidationFailed, `unknown field(s) ${unknown.join(', ')}; a job takes inputs, params and webhookUrl`);
  }
  const inputs = new Map<string, SubmittedInput>();
  for (const [name, raw] of Object.entries(asObject(object['inputs'] ?? {}, 'inputs'))) {
    const input = asObject(raw, `inputs.${name}`);
    if (typeof input['base64'] === 'string') inputs.set(name, { data: Buffer.from(input['base64'], 'base64') });
    else if (Object.hasOwn(input, 'value')) inputs.set(name, { value: input['value'] });
    else throw new MarketplaceError(ErrorCode.ValidationFailed, `inputs.${name} must be { "base64": "..." } for a file or { "value": ... } for JSON`);
  }
  const webhookUrl = object['webhookUrl'];
  if (webhookUrl !== undefined && typeof webhookUrl !== 'string') throw new MarketplaceError(ErrorCode.ValidationFailed, 'webhookUrl must be a string');
  return { pipelineId, inputs: Object.fromEntries(inputs), params: asObject(object['params'] ?? {}, 'params'), webhookUrl, idempotencyKey };
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MarketplaceError(ErrorCode.ValidationFailed, `${path} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
