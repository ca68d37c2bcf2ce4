import { ErrorCode } from '@aim/contracts';
import { HTTP_STATUS_BY_CODE } from '@aim/http-errors';
import { ref } from './api-schemas';
import type { Header, Reference, Response } from './openapi-types';

/**
 * The error answers, one reusable response per status: each names the codes it can carry (from the one
 * table the server answers by), so a client branching on `code` gets exactly those.
 */

const ERROR_STATUS_NAMES = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  507: 'InsufficientStorage',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUS_NAMES;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'the request is malformed: the message (and `problems`, each at its path) says what to change',
  401: 'an API key is needed here, or the one sent is not known to this server',
  403: 'the API key sent is not allowed to do this (admin routes)',
  404: 'there is no such thing, or it is not yours',
  409: 'it cannot be done in the state it is in',
  413: 'the body is larger than the upload limit (MAX_UPLOAD_BYTES)',
  415: 'the body is of a media type this route does not take',
  422: 'the request is well-formed but cannot be done: an unreadable image, an invalid pipeline, parameters the schema refuses',
  429: 'too many requests or jobs: wait `Retry-After` seconds and try again',
  500: 'an unexpected error; it has been logged',
  503: 'the store (or a service the pipeline needs) is not available now; try again after `Retry-After` seconds',
  507: 'the data folder is full: nothing was written',
};

const RETRY_AFTER: Header = {
  description: 'seconds to wait before trying again (sent when the server knows)',
  schema: { type: 'integer', minimum: 0 },
};

/** Codes by status, from the table the server answers by. */
export function errorCodesOf(status: ErrorStatus): ErrorCode[] {
  return (Object.entries(HTTP_STATUS_BY_CODE) as [ErrorCode, number][]).filter(([, answered]) => answered === status).map(([code]) => code);
}

export function errorResponseComponents(): Record<string, Response> {
  return Object.fromEntries(
    (Object.entries(ERROR_STATUS_NAMES) as unknown as [`${ErrorStatus}`, string][]).map(([key, name]) => {
      const status = Number(key) as ErrorStatus;
      const codes = errorCodesOf(status);
      const response: Response = {
        description: `${ERROR_DESCRIPTIONS[status]} (${codes.join(', ')})`,
        content: {
          'application/json': {
            schema: { allOf: [ref('Error'), { type: 'object', properties: { code: { type: 'string', enum: codes } } }] },
          },
        },
      };
      if (status === 429 || status === 503) response.headers = { 'Retry-After': RETRY_AFTER };
      return [name, response];
    }),
  );
}

/** `responses` entries for these error statuses. */
export function errors(...statuses: ErrorStatus[]): Record<string, Reference> {
  return Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/${ERROR_STATUS_NAMES[status]}` }]));
}
