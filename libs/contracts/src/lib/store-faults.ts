import { ErrorCode, MarketplaceError } from './errors';

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const UNAVAILABLE = /^(SQLITE_(IOERR|BUSY|LOCKED|READONLY|CANTOPEN)|EIO$|EROFS$|EMFILE$|ENFILE$)/;

/**
 * Turns a failed write into the error users and the engine act on: a full disk is INSUFFICIENT_STORAGE
 * (507), other I/O trouble STORE_UNAVAILABLE (503); both retryable. Anything else is left as it is.
 */
export function storeFault(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return error;
  if (FULL.has(code)) {
    return new MarketplaceError(ErrorCode.InsufficientStorage, 'the data folder is full; nothing was saved. Free some space (or delete old jobs) and try again', {
      retryable: true,
      retryAfterSeconds: 30,
    });
  }
  if (UNAVAILABLE.test(code)) {
    return new MarketplaceError(ErrorCode.StoreUnavailable, `the store could not be written (${code}); try again shortly`, { retryable: true, retryAfterSeconds: 5 });
  }
  return error;
}

export function translatingStoreFaults<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw storeFault(error);
  }
}
