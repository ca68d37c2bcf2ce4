import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { HTTP_STATUS_BY_CODE } from './error-response';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.QueueFull,
};

/**
 * Errors of the body parsers and of Express itself carry a 4xx `status` (a malformed body, a charset it
 * cannot read, an aborted upload): each becomes the API's own error for that status.
 */
function bodyParserError(error: unknown, maxUploadBytes: number): MarketplaceError | undefined {
  const { type, status, message } = (error ?? {}) as { type?: string; status?: unknown; message?: string };
  if (type === 'entity.parse.failed') return new MarketplaceError(ErrorCode.InvalidJson, `the body is not valid JSON: ${message}`);
  if (type === 'entity.too.large') {
    return new MarketplaceError(ErrorCode.PayloadTooLarge, `the body is larger than the limit for ${maxUploadBytes}-byte uploads; send a smaller file`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && !(error instanceof HttpException)) {
    return new MarketplaceError(CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed, `the request could not be read: ${message ?? 'malformed'}`);
  }
  return undefined;
}

/**
 * Express error middleware for the body parsers, which run before Nest's filters see a request: it
 * answers malformed or oversized bodies in the API's error format.
 */
export function bodyParserErrorHandler(maxUploadBytes: number) {
  return (error: unknown, _request: unknown, response: Response, next: (error?: unknown) => void): void => {
    const known = bodyParserError(error, maxUploadBytes);
    if (!known) return next(error);
    response.status(HTTP_STATUS_BY_CODE[known.code]).json({ code: known.code, message: known.message });
  };
}

/** Every error leaves as `{ code, message, problems? }` with the status its code stands for. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(private readonly maxUploadBytes: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toMarketplaceError(exception);
    const status = HTTP_STATUS_BY_CODE[error.code] ?? 500;
    if (status >= 500 && status !== 503) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (response.headersSent) return;
    if (error.retryAfterSeconds) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    const { retryable: _retryable, ...body } = error.toWire();
    response.status(status).json(body);
  }

  private toMarketplaceError(exception: unknown): MarketplaceError {
    if (exception instanceof MarketplaceError) return exception;
    const bodyError = bodyParserError(exception, this.maxUploadBytes);
    if (bodyError) return bodyError;
    if (exception instanceof HttpException && exception.getStatus() === 413) {
      return new MarketplaceError(ErrorCode.PayloadTooLarge, `the upload is larger than the limit of ${this.maxUploadBytes} bytes; send a smaller file`);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse() as { message?: string | string[] } | string;
      const messages = typeof body === 'string' ? [body] : Array.isArray(body.message) ? body.message : [body.message ?? exception.message];
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
      return new MarketplaceError(code, messages.join('; '), {
        problems: Array.isArray((body as { message?: unknown }).message) ? messages.map((message) => ({ path: message.split(' ')[0], message })) : undefined,
      });
    }
    return new MarketplaceError(ErrorCode.Internal, 'an unexpected error happened; it has been logged');
  }
}
