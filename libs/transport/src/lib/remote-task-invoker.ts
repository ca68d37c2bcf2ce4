import { randomUUID } from 'node:crypto';
import { ClientProxy } from '@nestjs/microservices';
import { Subscription } from 'rxjs';
import { ErrorCode, InvokeOptions, MarketplaceError, TaskInvoker, TaskRequest, TaskResult } from '@aim/contracts';
import { cancelSubject, errorFromWire, TaskCallMessage, TaskReply, taskSubject } from './wire';

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
    return new Promise<TaskResult>((resolve, reject) => {
      const subscription = new Subscription();
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        // Lets go of the reply inbox (NATS) or the pending call (TCP).
        subscription.unsubscribe();
        outcome();
      };
      const callId = randomUUID();
      const onAbort = () =>
        settle(() => {
          // Tells the instance that holds the call to stop; nothing waits for it to hear.
          client.emit(cancelSubject(request.service), { callId }).subscribe({ error: () => undefined });
          reject(new MarketplaceError(ErrorCode.Cancelled, 'the step was cancelled'));
        });
      const timer = setTimeout(
        () => settle(() => reject(new MarketplaceError(ErrorCode.Timeout, `no answer from ${request.service} within ${options.timeoutMs} ms`, { retryable: true }))),
        options.timeoutMs,
      );
      options.signal.addEventListener('abort', onAbort, { once: true });
      const message: TaskCallMessage = { callId, request, timeoutMs: options.timeoutMs };
      // Added to a subscription that may already be closed (an answer before subscribe returned): then it ends at once.
      subscription.add(client.send<TaskReply, TaskCallMessage>(subject, message).subscribe({
        next: (reply: unknown) =>
          settle(() => {
            // Whatever came back (a reply of another version, junk): never thrown here, always an answer.
            const answer = (typeof reply === 'object' && reply !== null ? reply : {}) as Partial<{ result: TaskResult; error: unknown }>;
            if (typeof answer.result === 'object' && answer.result !== null) resolve(answer.result);
            else reject(errorFromWire(answer.error));
          }),
        error: (error: unknown) => settle(() => reject(transportFailure(request.service, subject, error))),
        complete: () => settle(() => reject(transportFailure(request.service, subject, new Error('the call ended without an answer')))),
      }));
    });
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
