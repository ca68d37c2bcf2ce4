import { ErrorCode, InvokeOptions, MarketplaceError, TaskInvoker, TaskRequest, TaskResult } from '@aim/contracts';
import { ServiceHost } from './service-host';

/** The local binding: calls the service in this process, under the engine's deadline. */
export class LocalTaskInvoker extends TaskInvoker {
  private readonly hosts = new Map<string, ServiceHost>();

  constructor(hosts: ServiceHost[]) {
    super();
    for (const host of hosts) this.hosts.set(host.name, host);
  }

  async invoke(request: TaskRequest, options: InvokeOptions): Promise<TaskResult> {
    const host = this.hosts.get(request.service);
    if (!host) {
      throw new MarketplaceError(ErrorCode.ServiceUnavailable, `no instance of service "${request.service}" runs here`, {
        retryable: true,
      });
    }
    // Once the call is over (cancelled or past its deadline) the host's work stops too: it holds a slot.
    const work = new AbortController();
    try {
      return await withDeadline(host.execute(request, work.signal), options);
    } finally {
      work.abort();
    }
  }
}

/**
 * Settles with the work, or rejects with TIMEOUT / CANCELLED, whichever comes first. The work is always
 * listened to, even when the signal is already aborted: a rejection nobody listens to ends the process
 * once tfjs-wasm is loaded (it installs a handler that rethrows).
 */
export function withDeadline<T>(work: Promise<T>, options: InvokeOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settle();
      reject(new MarketplaceError(ErrorCode.Cancelled, 'the step was cancelled'));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new MarketplaceError(ErrorCode.Timeout, `no answer within ${options.timeoutMs} ms`, { retryable: true }));
    }, options.timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error) => {
        settle();
        reject(MarketplaceError.from(error));
      },
    );
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
