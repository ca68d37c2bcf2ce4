import type { Request, Response } from 'express';

/** `wait=<seconds>` among the preferences of a `Prefer` header (RFC 7240), e.g. `Prefer: wait=10`. */
const WAIT_PREFERENCE = /(?:^|[,;]\s*)wait\s*=\s*"?(\d{1,9})"?\s*(?=[,;]|$)/i;

/**
 * How long, in seconds, the caller asked to wait for its job to end, capped at `maxSeconds`; 0 when it
 * did not ask (or waiting is turned off). A preference that cannot be read is ignored, as RFC 7240 says.
 */
export function preferredWaitSeconds(request: Request, maxSeconds: number): number {
  const header = request.header('prefer');
  const match = header ? WAIT_PREFERENCE.exec(header) : null;
  return match ? Math.min(Number(match[1]), maxSeconds) : 0;
}

/**
 * Runs `wait` for a caller that asked to wait (`Prefer: wait=N`), telling it with `Preference-Applied`
 * how long was granted; a caller that goes away aborts the wait.
 */
export async function whileCallerWaits<T>(request: Request, response: Response, maxSeconds: number, now: T, wait: (ms: number, signal: AbortSignal) => Promise<T>): Promise<T> {
  const seconds = preferredWaitSeconds(request, maxSeconds);
  if (seconds === 0) return now;
  response.setHeader('Preference-Applied', `wait=${seconds}`);
  const gone = new AbortController();
  const abort = () => gone.abort();
  response.once('close', abort);
  // A caller that hung up while its upload was being stored is not waited for.
  if (!response.socket || response.socket.destroyed) abort();
  try {
    return await wait(seconds * 1000, gone.signal);
  } finally {
    response.off('close', abort);
  }
}
