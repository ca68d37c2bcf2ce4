import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { ServiceRegistry } from '../registry/service-registry';

interface Waiter {
  grant: () => void;
  fail: (error: MarketplaceError) => void;
}

/**
 * Per-service concurrency: at most as many steps in flight as the service's available instances
 * accept (running + queued). Past that the step is held here, in order, until a slot frees; a service
 * with no available instance fails the attempt after `serviceWaitMs` (retryable).
 */
@Injectable()
export class ServiceSlots implements OnModuleDestroy {
  private readonly used = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();
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

  held(service: string): number {
    return this.waiting.get(service)?.length ?? 0;
  }

  /** Resolves with the function that gives the slot back. */
  acquire(service: string, signal: AbortSignal): Promise<() => void> {
    if (!this.waiting.get(service)?.length && this.inUse(service) < this.registry.capacity(service)) {
      return Promise.resolve(this.take(service));
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(service) ?? [];
      this.waiting.set(service, queue);
      let timer: NodeJS.Timeout;
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        queue.splice(queue.indexOf(waiter), 1);
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
      queue.push(waiter);
    });
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

  private drain(service: string): void {
    const queue = this.waiting.get(service);
    while (queue?.length && this.inUse(service) < this.registry.capacity(service)) queue[0].grant();
  }
}
