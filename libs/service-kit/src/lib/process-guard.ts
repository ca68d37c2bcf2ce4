/**
 * Keeps the process up when a promise rejects with nobody listening: the rejection is reported (logged
 * and counted by the caller) and work goes on. Without a listener Node ends the process on one, and a
 * library could install a handler that rethrows; ml-runtime removes the one tfjs-wasm installs, and this
 * listener is what is left. Uncaught exceptions keep Node's default: the process state may be broken.
 */
export function guardAgainstUnhandledRejections(report: (reason: unknown) => void): () => void {
  const listener = (reason: unknown) => {
    try {
      report(reason);
    } catch {
      // reporting must never turn one fault into a crash
    }
  };
  process.on('unhandledRejection', listener);
  return () => process.removeListener('unhandledRejection', listener);
}

export function describeFault(reason: unknown): string {
  return reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : String(reason);
}
