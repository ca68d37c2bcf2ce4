import { ErrorCode, MarketplaceError } from '@aim/contracts';

export interface WorkQueueOptions {
  /** Tasks worked on at once. */
  concurrency: number;
  /** Tasks allowed to wait beyond `concurrency`; one more is refused with QUEUE_FULL. */
  queueLimit: number;
}

/** A bounded FIFO: at most `concurrency` running, at most `queueLimit` waiting, never more. */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly name: string,
    readonly options: WorkQueueOptions,
  ) {
    if (options.concurrency < 1) throw new Error('concurrency must be at least 1');
    if (options.queueLimit < 0) throw new Error('queueLimit must not be negative');
  }

  get inFlight(): number {
    return this.running;
  }

  get depth(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.queueLimit) {
        throw new MarketplaceError(
          ErrorCode.QueueFull,
          `${this.name} is busy: ${this.running} tasks running and ${this.waiting.length} waiting; try again shortly`,
          { retryable: true },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiting task, so `running` only drops when none waits.
      if (next) next();
      else this.running--;
    }
  }
}
