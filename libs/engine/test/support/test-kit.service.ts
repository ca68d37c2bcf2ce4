import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Artifact, ErrorCode, JsonSchema, MarketplaceError, ServiceDescriptor, TaskDescriptor } from '@aim/contracts';
import { TaskCall, TaskHandler, TaskService } from '@aim/service-kit';

const json = (name: string): { name: string; contentTypes: string[] } => ({ name, contentTypes: ['application/json'] });
const object = (properties: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
const task = (name: string, params: JsonSchema, inputs = [json('data')]): TaskDescriptor => ({
  name,
  summary: name,
  inputs,
  params,
  outputs: [{ name: 'data', contentType: 'application/json' }],
});

/**
 * A real service with tasks whose behaviour the engine tests control: echo, make a list, fail a
 * number of times, take its time. It runs through the same service host as every other service.
 */
@Injectable()
export class TestKitService extends TaskService {
  /** Calls per `key`, to fail the first N of them. */
  readonly calls = new Map<string, number>();
  readonly running = new Set<string>();
  maxRunning = 0;

  readonly descriptor: ServiceDescriptor = {
    name: 'test-kit',
    version: '1.0.0',
    summary: 'tasks for engine tests',
    tags: ['test'],
    usesAi: false,
    tasks: [
      task('echo', object({ tag: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } })),
      task('list', object({ count: { type: 'integer', minimum: 0 } }, ['count'])),
      task('flaky', object({ key: { type: 'string' }, failures: { type: 'integer' }, retryable: { type: 'boolean', default: true } }, ['key', 'failures'])),
      task('slow', object({ key: { type: 'string' }, ms: { type: 'integer' } }, ['ms'])),
    ],
  };

  readonly handlers: Record<string, TaskHandler> = {
    echo: async ({ inputs, params }) => out({ input: value(inputs), ...params }),
    list: async ({ params }) => out(Array.from({ length: params['count'] as number }, (_, i) => ({ n: i }))),
    flaky: async ({ inputs, params }) => {
      const key = params['key'] as string;
      const count = (this.calls.get(key) ?? 0) + 1;
      this.calls.set(key, count);
      if (count <= (params['failures'] as number)) {
        throw new MarketplaceError(ErrorCode.TaskFailed, `planned failure ${count} of ${key}`, { retryable: params['retryable'] as boolean });
      }
      return out({ input: value(inputs), attempt: count });
    },
    slow: async ({ inputs, params, signal }: TaskCall) => {
      const key = (params['key'] as string) ?? String(Math.random());
      this.running.add(key);
      this.maxRunning = Math.max(this.maxRunning, this.running.size);
      try {
        await sleep(params['ms'] as number, undefined, { signal });
      } finally {
        this.running.delete(key);
      }
      return out({ input: value(inputs), slept: params['ms'] });
    },
  };
}

function value(inputs: Record<string, Artifact>): unknown {
  const input = inputs['data'];
  return input && 'value' in input ? input.value : undefined;
}

function out(data: unknown): Record<string, Artifact> {
  return { data: { contentType: 'application/json', value: data } };
}
