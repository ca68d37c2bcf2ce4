import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Artifact, ArtifactRef, ServiceDescriptor, TaskRequest } from '@aim/contracts';
import { FolderBlobStore } from '@aim/blob-store';
import { ServiceHost } from './service-host';
import { TaskCall, TaskService } from './task-service';

/** A service of the kit's own test: `flip` reverses the bytes, `same` answers its input, `size` answers JSON. */
class BytesService extends TaskService {
  readonly calls: TaskCall[] = [];
  readonly descriptor: ServiceDescriptor = {
    name: 'bytes',
    version: '1.0.0',
    summary: 'bytes for the kit test',
    tags: [],
    usesAi: false,
    tasks: ['flip', 'same', 'size'].map((name) => ({
      name,
      summary: name,
      inputs: [{ name: 'file', contentTypes: ['application/octet-stream'] }],
      params: { type: 'object', properties: { label: { type: 'string', default: 'none' } }, additionalProperties: false },
      outputs: [name === 'size' ? { name: 'size', contentType: 'application/json' } : { name: 'file', contentType: 'application/octet-stream' }],
    })),
  };
  readonly handlers = {
    flip: async (call: TaskCall): Promise<Record<string, Artifact>> => {
      this.calls.push(call);
      const data = (call.inputs['file'] as { data: Uint8Array }).data;
      return { file: { contentType: 'application/octet-stream', data: Buffer.from(data).reverse() } };
    },
    same: async (call: TaskCall): Promise<Record<string, Artifact>> => ({ file: call.inputs['file'] }),
    size: async (call: TaskCall): Promise<Record<string, Artifact>> => ({
      size: { contentType: 'application/json', value: { bytes: (call.inputs['file'] as { data: Uint8Array }).data.length, label: call.params['label'] } },
    }),
  };
}

describe('ServiceHost: files by reference', () => {
  let folder: string;
  let blobs: FolderBlobStore;
  let service: BytesService;
  let host: ServiceHost;
  const INPUT_KEY = 'jobs/j1/inputs/file';
  const input: ArtifactRef = { contentType: 'application/octet-stream', size: 4, blobKey: INPUT_KEY };
  const request = (task: string, inputs: Record<string, ArtifactRef> = { file: input }, outputPrefix = 'jobs/j1/steps/s1'): TaskRequest => ({
    service: 'bytes',
    task,
    inputs,
    params: {},
    outputPrefix,
  });
  const execute = (r: TaskRequest) => host.execute(r, new AbortController().signal);

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'aim-kit-'));
    blobs = new FolderBlobStore(folder);
    service = new BytesService();
    host = new ServiceHost(service, { concurrency: 1, queueLimit: 4 }, blobs);
    await blobs.put(INPUT_KEY, Buffer.from([1, 2, 3, 4]));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('reads the input file for the handler and stores its file output under the prefix, answering the key', async () => {
    const result = await execute(request('flip'));
    expect(result.outputs).toEqual({ file: { contentType: 'application/octet-stream', size: 4, blobKey: 'jobs/j1/steps/s1/file' } });
    expect([...(await blobs.get('jobs/j1/steps/s1/file'))]).toEqual([4, 3, 2, 1]);
    expect(result.instanceId).toBe(host.instanceId);
  });

  it('answers JSON outputs as values, and passes JSON inputs as values', async () => {
    const result = await execute(request('size'));
    expect(result.outputs['size']).toMatchObject({ contentType: 'application/json', value: { bytes: 4, label: 'none' } });
    expect(await blobs.exists('jobs/j1/steps/s1/size')).toBe(false);
  });

  it('keeps the input key for an output that is the input unchanged: no second file', async () => {
    const result = await execute(request('same'));
    expect(result.outputs['file']).toEqual(input);
    expect(await blobs.exists('jobs/j1/steps/s1/file')).toBe(false);
  });

  it('fails with INPUT_MISSING when the input file is not in the store, before the handler runs', async () => {
    const gone = { ...input, blobKey: 'jobs/j1/inputs/gone' };
    await expect(execute(request('flip', { file: gone }))).rejects.toMatchObject({ code: 'INPUT_MISSING', retryable: false });
    expect(service.calls).toHaveLength(0);
  });

  it('refuses an output prefix that would leave the store (a key with ..)', async () => {
    await expect(execute(request('flip', { file: input }, 'jobs/../../etc'))).rejects.toThrow(/invalid blob key/);
    expect(service.calls).toHaveLength(0);
  });

  it('refuses an input of a type the task does not accept, without reading it', async () => {
    const png = { ...input, contentType: 'image/png' };
    await expect(execute(request('flip', { file: png }))).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
