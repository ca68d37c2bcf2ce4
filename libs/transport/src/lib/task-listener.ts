import { MarketplaceError } from '@aim/contracts';
import { ServiceHost } from '@aim/service-kit';
import { cancelSubject, MessageServer, parseCancel, parseTaskCall, serviceQueue, TaskReply, taskSubject } from './wire';

/** The calls an instance holds, from the message's arrival to its answer. */
export class CallCounter {
  private calls = 0;
  private waiters: (() => void)[] = [];

  get count(): number {
    return this.calls;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.calls++;
    try {
      return await work();
    } finally {
      if (--this.calls === 0) this.waiters.splice(0).forEach((wake) => wake());
    }
  }

  /** Resolves true once no call is held, or false when `ms` passed first. */
  idle(ms: number): Promise<boolean> {
    if (this.calls === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/**
 * The service side of the remote binding: one handler per task of each hosted service, in the service's
 * queue group (NATS gives each call to one instance). The host runs the call exactly as in one process;
 * its errors are answered as `{code, message, retryable, problems?}`, never thrown into the transport.
 * The work is aborted when the engine's deadline passes (nobody waits for its answer any more) or when
 * the engine cancels the call (heard by every instance of the service).
 */
export function listenForTasks(server: MessageServer, hosts: ServiceHost[], calls: CallCounter): void {
  const running = new Map<string, AbortController>();
  for (const host of hosts) {
    for (const task of host.service.descriptor.tasks) {
      server.addHandler(taskSubject(host.name, task.name), (message: unknown) => calls.track(() => answer(host, message, running)), false, {
        queue: serviceQueue(host.name),
      });
    }
    server.addHandler(
      cancelSubject(host.name),
      async (message: unknown) => {
        const callId = parseCancel(message);
        if (callId) running.get(callId)?.abort();
      },
      true,
    );
  }
}

async function answer(host: ServiceHost, message: unknown, running: Map<string, AbortController>): Promise<TaskReply> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let callId: string | undefined;
  try {
    const call = parseTaskCall(message, host.name);
    callId = call.callId;
    running.set(callId, controller);
    timer = setTimeout(() => controller.abort(), call.timeoutMs);
    return { result: await host.execute(call.request, controller.signal) };
  } catch (error) {
    return { error: MarketplaceError.from(error).toWire() };
  } finally {
    clearTimeout(timer);
    if (callId !== undefined && running.get(callId) === controller) running.delete(callId);
  }
}
