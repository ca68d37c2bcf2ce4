import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { ServiceRegistry } from '../registry/service-registry';

interface Waiter {
  grant: () => void;
  fail: (error: MarketplaceError) => void;
}

/** The steps held for one service: a line per job, and the jobs taking turns. */
interface Held {
  byJob: Map<string, Waiter[]>;
  turns: string[];
  size: number;
}

/**
 * Per-service concurrency: at most as many steps in flight as the service's available instances
 * accept (running + queued). Past that a step is held here until a slot frees. Jobs take turns: the
 * next free slot goes to the next job in the rotation (in order within a job), so a job with a
 * thousand for-each items never makes a one-step job wait behind all of them. A service with no
 * available instance fails the attempt after `serviceWaitMs` (retryable).
 */
@Injectable()
export class ServiceSlots implements OnModuleDestroy {
  private readonly used = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private readonly subscription: Subscription;

  constructor(
    private readonly registry: ServiceRegistry,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {
    this.subscription = registry.changes.subscribe((service) => this.drain(service));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  inUse(service: string): number {
    return this.used.get(service) ?? 0;
  }

  heldCount(service: string): number {
    return this.held.get(service)?.size ?? 0;
  }

  /** Resolves with the function that gives the slot back. */
  acquire(service: string, jobId: string, signal: AbortSignal): Promise<() => void> {
    const held = this.heldOf(service);
    if (!held.size && this.inUse(service) < this.registry.capacity(service)) return Promise.resolve(this.take(service));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const line = held.byJob.get(jobId)!;
        line.splice(line.indexOf(waiter), 1);
        held.size--;
        if (!line.length) {
          held.byJob.delete(jobId);
          held.turns.splice(held.turns.indexOf(jobId), 1);
        }
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.take(service));
        },
        fail: (error) => {
          leave();
          reject(error);
        },
      };
      const onAbort = () => waiter.fail(new MarketplaceError(ErrorCode.Cancelled, 'the step was cancelled'));
      const check = () => {
        if (this.registry.isAvailable(service)) timer = setTimeout(check, this.options.serviceWaitMs);
        else {
          waiter.fail(new MarketplaceError(ErrorCode.ServiceUnavailable, `service "${service}" has no available instance`, { retryable: true }));
        }
      };
      timer = setTimeout(check, this.options.serviceWaitMs);
      signal.addEventListener('abort', onAbort, { once: true });
      const line = held.byJob.get(jobId);
      if (line) line.push(waiter);
      else {
        held.byJob.set(jobId, [waiter]);
        held.turns.push(jobId);
      }
      held.size++;
    });
  }

  private heldOf(service: string): Held {
    let held = this.held.get(service);
    if (!held) this.held.set(service, (held = { byJob: new Map(), turns: [], size: 0 }));
    return held;
  }

  private take(service: string): () => void {
    this.used.set(service, this.inUse(service) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used.set(service, this.inUse(service) - 1);
      this.drain(service);
    };
  }

  /** Gives free slots to the held steps, one job at a time in turn. */
  private drain(service: string): void {
    const held = this.held.get(service);
    while (held?.size && this.inUse(service) < this.registry.capacity(service)) {
      const jobId = held.turns[0];
      const line = held.byJob.get(jobId)!;
      line[0].grant(); // leaves the line; when the job has more, it goes to the back of the turns
      if (held.byJob.has(jobId)) held.turns.push(held.turns.shift()!);
    }
  }
}
