import type { Request } from 'express';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { SubmittedInput, SubmitRequest } from '../jobs/job-submission.service';

const IDEMPOTENCY_KEY = /^[\w.:-]{1,200}$/;

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
  if (request.is('multipart/form-data')) return fromMultipart(pipelineId, request, files, idempotencyKey);
  if (request.is('application/json')) return fromJson(pipelineId, request.body, idempotencyKey);
  throw new MarketplaceError(ErrorCode.UnsupportedMediaType, 'send the job as multipart/form-data (one file per input) or as application/json');
}

function fromMultipart(pipelineId: string, request: Request, files: Express.Multer.File[], idempotencyKey?: string): SubmitRequest {
  const fields = (request.body ?? {}) as Record<string, string>;
  const inputs: Record<string, SubmittedInput> = {};
  for (const file of files) {
    if (inputs[file.fieldname]) throw new MarketplaceError(ErrorCode.ValidationFailed, `input "${file.fieldname}" was sent twice`);
    inputs[file.fieldname] = { data: file.buffer };
  }
  const { params, webhookUrl, ...rest } = fields;
  for (const [name, text] of Object.entries(rest)) inputs[name] = { value: parseJson(text, name) };
  return {
    pipelineId,
    inputs,
    params: params === undefined ? {} : asObject(parseJson(params, 'params'), 'params'),
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
  const inputs: Record<string, SubmittedInput> = {};
  for (const [name, raw] of Object.entries(asObject(object['inputs'] ?? {}, 'inputs'))) {
    const input = asObject(raw, `inputs.${name}`);
    if (typeof input['base64'] === 'string') inputs[name] = { data: Buffer.from(input['base64'], 'base64') };
    else if ('value' in input) inputs[name] = { value: input['value'] };
    else throw new MarketplaceError(ErrorCode.ValidationFailed, `inputs.${name} must be { "base64": "..." } for a file or { "value": ... } for JSON`);
  }
  const webhookUrl = object['webhookUrl'];
  if (webhookUrl !== undefined && typeof webhookUrl !== 'string') throw new MarketplaceError(ErrorCode.ValidationFailed, 'webhookUrl must be a string');
  return { pipelineId, inputs, params: asObject(object['params'] ?? {}, 'params'), webhookUrl, idempotencyKey };
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidJson, `field "${field}" is not valid JSON: ${(error as Error).message}`);
  }
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MarketplaceError(ErrorCode.ValidationFailed, `${path} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
