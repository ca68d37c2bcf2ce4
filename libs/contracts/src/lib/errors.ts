/** Stable error codes: they cross every boundary (HTTP, transports, the store) unchanged. */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  InvalidJson: 'INVALID_JSON',
  InvalidImage: 'INVALID_IMAGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  ImageTooLarge: 'IMAGE_TOO_LARGE',
  InputMissing: 'INPUT_MISSING',
  InvalidParameters: 'INVALID_PARAMETERS',
  NotFound: 'NOT_FOUND',
  PipelineNotFound: 'PIPELINE_NOT_FOUND',
  PipelineInvalid: 'PIPELINE_INVALID',
  PipelineExists: 'PIPELINE_EXISTS',
  PipelineReadOnly: 'PIPELINE_READ_ONLY',
  PipelineNotRunnable: 'PIPELINE_NOT_RUNNABLE',
  ServiceNotFound: 'SERVICE_NOT_FOUND',
  TaskNotFound: 'TASK_NOT_FOUND',
  JobNotFound: 'JOB_NOT_FOUND',
  OutputNotFound: 'OUTPUT_NOT_FOUND',
  JobNotCancellable: 'JOB_NOT_CANCELLABLE',
  JobNotFinished: 'JOB_NOT_FINISHED',
  IdempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  QueueFull: 'QUEUE_FULL',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Timeout: 'TIMEOUT',
  Cancelled: 'CANCELLED',
  TaskFailed: 'TASK_FAILED',
  /** The data folder is full: nothing was written; free space (or delete old jobs) and retry. */
  InsufficientStorage: 'INSUFFICIENT_STORAGE',
  /** The store could not be written for another reason (I/O error, locked); retry later. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  ExpressionLimit: 'EXPRESSION_LIMIT',
  RateLimited: 'RATE_LIMITED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface Problem {
  /** Where the problem is, as a JSON path such as `steps[1].params.width`. */
  path: string;
  message: string;
}

/** The store could not be written; the state in memory is ahead of the stored one. */
export function isStoreFault(error: unknown): boolean {
  return error instanceof MarketplaceError && (error.code === ErrorCode.InsufficientStorage || error.code === ErrorCode.StoreUnavailable);
}

/** What an error looks like on any wire: HTTP bodies, transport replies, stored step errors. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  problems?: Problem[];
}

export interface MarketplaceErrorOptions {
  retryable?: boolean;
  problems?: Problem[];
  /** Seconds a client should wait before trying again (429 and 503 answers). */
  retryAfterSeconds?: number;
}

/**
 * The one error class of the product. A plain Error never crosses a boundary: anything else is
 * turned into `INTERNAL` at the edge.
 */
export class MarketplaceError extends Error {
  readonly retryable: boolean;
  readonly problems?: Problem[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: MarketplaceErrorOptions = {},
  ) {
    super(message);
    this.name = 'MarketplaceError';
    this.retryable = options.retryable ?? false;
    this.problems = options.problems;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.problems) wire.problems = this.problems;
    return wire;
  }

  static fromWire(wire: WireError): MarketplaceError {
    return new MarketplaceError(wire.code, wire.message, { retryable: wire.retryable, problems: wire.problems });
  }

  /** Wraps anything thrown into a MarketplaceError; unknown errors become non-retryable `INTERNAL`. */
  static from(error: unknown, fallback: ErrorCode = ErrorCode.Internal): MarketplaceError {
    if (error instanceof MarketplaceError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new MarketplaceError(fallback, message);
  }
}
