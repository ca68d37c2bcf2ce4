import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Artifact, ErrorCode, MarketplaceError, ServiceDescriptor, TaskInvoker, TaskRequest } from '@aim/contracts';
import { FolderBlobStore } from '@aim/blob-store';
import { ServiceHost, TaskCall, TaskService } from '@aim/service-kit';

/** The service every binding is judged with: files, JSON, errors with problems, and slow work that can be aborted. */
export class ContractService extends TaskService {
  /** How each `slow` call ended: 'done', or 'aborted' when its signal fired. */
  readonly slowEndings: string[] = [];
  readonly descriptor: ServiceDescriptor = {
    name: 'contract',
    version: '1.0.0',
    summary: 'the TaskInvoker contract suite',
    tags: [],
    usesAi: false,
    tasks: [
      {
        name: 'invert',
        summary: 'reverses the bytes, and counts them',
        inputs: [{ name: 'file', contentTypes: ['application/octet-stream'] }],
        params: { type: 'object', properties: { label: { type: 'string', default: 'plain' } }, additionalProperties: false },
        outputs: [
          { name: 'file', contentType: 'application/octet-stream' },
          { name: 'count', contentType: 'application/json' },
        ],
      },
      {
        name: 'fail',
        summary: 'fails as asked',
        inputs: [],
        params: { type: 'object', properties: { retryable: { type: 'boolean', default: false } }, additionalProperties: false },
        outputs: [],
      },
      {
        name: 'slow',
        summary: 'takes its time, and stops when aborted',
        inputs: [],
        params: { type: 'object', properties: { ms: { type: 'integer', minimum: 0 } }, required: ['ms'], additionalProperties: false },
        outputs: [{ name: 'slept', contentType: 'application/json' }],
      },
    ],
  };

  readonly handlers = {
    invert: async ({ inputs, params }: TaskCall): Promise<Record<string, Artifact>> => {
      const data = (inputs['file'] as { data: Uint8Array }).data;
      return {
        file: { contentType: 'application/octet-stream', data: Buffer.from(data).reverse() },
        count: { contentType: 'application/json', value: { bytes: data.length, label: params['label'] } },
      };
    },
    fail: async ({ params }: TaskCall): Promise<Record<string, Artifact>> => {
      throw new MarketplaceError(params['retryable'] ? ErrorCode.QueueFull : ErrorCode.InvalidParameters, 'failed as asked', {
        retryable: Boolean(params['retryable']),
        problems: [{ path: 'params.retryable', message: 'was asked to fail' }],
      });
    },
    slow: async ({ params, signal }: TaskCall): Promise<Record<string, Artifact>> => {
      try {
        await sleep(params['ms'] as number, undefined, { signal });
      } catch {
        this.slowEndings.push('aborted');
        throw new MarketplaceError(ErrorCode.Cancelled, 'stopped');
      }
      this.slowEndings.push('done');
      return { slept: { contentType: 'application/json', value: params['ms'] } };
    },
  };
}

export interface BindingUnderTest {
  invoker: TaskInvoker;
  close(): Promise<void>;
}

/**
 * Runs the TaskInvoker contract against one binding. `bind` gets the hosts of one instance of the
 * contract service (and the blob store both sides share) and answers the engine's invoker for them.
 */
export function taskInvokerContract(name: string, bind: (hosts: ServiceHost[]) => Promise<BindingUnderTest>): void {
  describe(`TaskInvoker contract: ${name}`, () => {
    let folder: string;
    let blobs: FolderBlobStore;
    let service: ContractService;
    let host: ServiceHost;
    let binding: BindingUnderTest;
    const call = (request: Partial<TaskRequest> & { task: string }, timeoutMs = 5000, signal = new AbortController().signal) =>
      binding.invoker.invoke({ service: 'contract', inputs: {}, params: {}, outputPrefix: 'jobs/j1/steps/s1', ...request }, { signal, timeoutMs });

    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), 'aim-invoker-'));
      blobs = new FolderBlobStore(folder);
      service = new ContractService();
      host = new ServiceHost(service, { concurrency: 8, queueLimit: 32 }, blobs);
      binding = await bind([host]);
    });
    afterAll(async () => {
      await binding?.close();
      rmSync(folder, { recursive: true, force: true });
    });

    it('passes files by key: the service reads the input and answers the key of the output it stored', async () => {
      await blobs.put('jobs/j1/inputs/file', Buffer.from([1, 2, 3]));
      const file = { contentType: 'application/octet-stream', size: 3, blobKey: 'jobs/j1/inputs/file' };
      const result = await call({ task: 'invert', inputs: { file }, params: { label: 'x' } });
      expect(result.instanceId).toBe(host.instanceId);
      expect(result.outputs['file']).toEqual({ contentType: 'application/octet-stream', size: 3, blobKey: 'jobs/j1/steps/s1/file' });
      expect(result.outputs['count']).toMatchObject({ contentType: 'application/json', value: { bytes: 3, label: 'x' } });
      expect([...(await blobs.get('jobs/j1/steps/s1/file'))]).toEqual([3, 2, 1]);
    });

    it('answers many calls at once, each with its own result', async () => {
      const results = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          await blobs.put(`jobs/m${i}/inputs/file`, Buffer.from([i, 0]));
          const file = { contentType: 'application/octet-stream', size: 2, blobKey: `jobs/m${i}/inputs/file` };
          const result = await call({ task: 'invert', inputs: { file }, outputPrefix: `jobs/m${i}/steps/s` });
          return [...(await blobs.get(result.outputs['file'].blobKey ?? 'none'))];
        }),
      );
      expect(results).toEqual(Array.from({ length: 24 }, (_, i) => [0, i]));
    });

    it("rebuilds the service's error on this side: code, message, retryable and problems", async () => {
      const error = await call({ task: 'fail', params: { retryable: false } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarketplaceError);
      expect((error as MarketplaceError).toWire()).toEqual({
        code: 'INVALID_PARAMETERS',
        message: 'failed as asked',
        retryable: false,
        problems: [{ path: 'params.retryable', message: 'was asked to fail' }],
      });
      await expect(call({ task: 'fail', params: { retryable: true } })).rejects.toMatchObject({ code: 'QUEUE_FULL', retryable: true });
    });

    it("refuses parameters the task's schema does not allow, as the service's own INVALID_PARAMETERS", async () => {
      await expect(call({ task: 'slow', params: { ms: 'soon' } })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', retryable: false });
    });

    it('gives up at the deadline with a retryable TIMEOUT, and the service stops the work', async () => {
      const started = Date.now();
      await expect(call({ task: 'slow', params: { ms: 10_000 } }, 300)).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(3000);
      for (let i = 0; i < 100 && !service.slowEndings.includes('aborted'); i++) await sleep(20);
      expect(service.slowEndings).toContain('aborted');
    });

    it('ends a call at once when the step is cancelled', async () => {
      const controller = new AbortController();
      const pending = call({ task: 'slow', params: { ms: 10_000 } }, 20_000, controller.signal);
      await sleep(100);
      const started = Date.now();
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('answers SERVICE_UNAVAILABLE (retryable) at once for a service no instance hosts', async () => {
      const started = Date.now();
      await expect(binding.invoker.invoke({ service: 'nobody', task: 'x', inputs: {}, params: {}, outputPrefix: 'jobs/j/steps/s' }, { signal: new AbortController().signal, timeoutMs: 5000 })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
      });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('answers INPUT_MISSING when the input file is not in the store', async () => {
      const file = { contentType: 'application/octet-stream', size: 3, blobKey: 'jobs/none/inputs/file' };
      await expect(call({ task: 'invert', inputs: { file } })).rejects.toMatchObject({ code: 'INPUT_MISSING', retryable: false });
    });
  });
}
