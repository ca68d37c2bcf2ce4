import { MarketplaceError } from '@aim/contracts';
import { WorkQueue } from './work-queue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` tasks at once, in arrival order, and refuses past the queue limit', async () => {
    const queue = new WorkQueue('svc', { concurrency: 2, queueLimit: 1 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(queue.inFlight).toBe(2);
    expect(queue.depth).toBe(1);

    const refused = queue.run(async () => 99);
    await expect(refused).rejects.toMatchObject({ code: 'QUEUE_FULL', retryable: true });
    await expect(refused).rejects.toBeInstanceOf(MarketplaceError);

    gates[0].resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    expect(queue.inFlight).toBe(2);
    gates[1].resolve();
    gates[2].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(queue.inFlight).toBe(0);
    expect(queue.depth).toBe(0);
  });

  it('frees its slot when a task throws', async () => {
    const queue = new WorkQueue('svc', { concurrency: 1, queueLimit: 0 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
