import { randomUUID } from 'node:crypto';
import { ClientProxy } from '@nestjs/microservices';
import { Subscription } from 'rxjs';
import { ErrorCode, InvokeOptions, MarketplaceError, TaskInvoker, TaskRequest, TaskResult } from '@aim/contracts';
import { withDeadline } from '@aim/service-kit';
import { cancelSubject, errorFromWire, TaskCallMessage, taskSubject } from './wire';

/**
 * The remote binding of TaskInvoker: sends the request over the transport to whichever instance of the
 * service takes it, and waits at most the step's deadline (a Nest `send()` has no timeout of its own and
 * an instance that dies mid-call never answers). Every failure of the transport itself is a retryable
 * SERVICE_UNAVAILABLE: the step is tried again, on another instance if there is one.
 */
export class RemoteTaskInvoker extends TaskInvoker {
  constructor(private readonly clientFor: (service: string) => ClientProxy | undefined) {
    super();
  }

  invoke(request: TaskRequest, options: InvokeOptions): Promise<TaskResult> {
    const subject = taskSubject(request.service, request.task);
    const client = this.clientFor(request.service);
    if (!client) {
      return Promise.reject(new MarketplaceError(ErrorCode.ServiceUnavailable, `no address is configured for service "${request.service}"`, { retryable: true }));
    }
    if (options.signal.aborted) return Promise.reject(new MarketplaceError(ErrorCode.Cancelled, 'the step was cancelled'));
    const callId = randomUUID();
    let subscription: Subscription | undefined;
    const answer = new Promise<TaskResult>((resolve, reject) => {
      const message: TaskCallMessage = { callId, request, timeoutMs: options.timeoutMs };
      subscription = client.send<unknown, TaskCallMessage>(subject, message).subscribe({
        next: (reply) => {
          // Whatever came back (a reply of another version, junk): never thrown here, always an answer.
          const answered = (typeof reply === 'object' && reply !== null ? reply : {}) as Partial<{ result: TaskResult; error: unknown }>;
          if (typeof answered.result === 'object' && answered.result !== null) resolve(answered.result);
          else reject(errorFromWire(answered.error));
        },
        error: (error: unknown) => reject(transportFailure(request.service, subject, error)),
        complete: () => reject(transportFailure(request.service, subject, new Error('the call ended without an answer'))),
      });
    });
    // The step's deadline and its cancel, as for the local binding.
    return withDeadline(answer, options)
      .catch((error: unknown) => {
        // Tells the instance that holds the call to stop; nothing waits for it to hear.
        if (options.signal.aborted) client.emit(cancelSubject(request.service), { callId }).subscribe({ error: () => undefined });
        throw error;
      })
      .finally(() => subscription?.unsubscribe()); // lets go of the reply inbox (NATS) or the pending call (TCP)
  }
}

/** What went wrong on the way, as the engine acts on it: the service's own errors never arrive here. */
function transportFailure(service: string, subject: string, error: unknown): MarketplaceError {
  const name = (error as { name?: string })?.name;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  if (name === 'EmptyResponseException') {
    // NATS answers at once when no instance listens on the subject ("no responders").
    return new MarketplaceError(ErrorCode.ServiceUnavailable, `no instance of service "${service}" is listening on ${subject}`, { retryable: true });
  }
  return new MarketplaceError(ErrorCode.ServiceUnavailable, `service "${service}" could not be reached: ${message}`, { retryable: true });
}
