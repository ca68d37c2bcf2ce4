import { randomUUID } from 'node:crypto';
import { Artifact, ArtifactRef, isJsonArtifact } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';
import { ServiceHost } from './service-host';
import { jsonRef } from './task-artifacts';

/**
 * Calls a hosted task with the bytes in hand, as a service's own HTTP route (and a test) does: the
 * inputs are stored under a prefix of the call's own, the host runs the task exactly as for the engine,
 * the outputs are read back, and the prefix is removed.
 */
export class DirectTaskCaller {
  constructor(
    private readonly host: ServiceHost,
    private readonly blobs: BlobStore,
  ) {}

  async call(task: string, inputs: Record<string, Artifact>, params: Record<string, unknown> = {}, signal = new AbortController().signal): Promise<Record<string, Artifact>> {
    const prefix = `calls/${randomUUID()}`;
    try {
      const refs: Record<string, ArtifactRef> = {};
      for (const [name, artifact] of Object.entries(inputs)) {
        if (isJsonArtifact(artifact)) {
          refs[name] = jsonRef(artifact);
        } else {
          const blobKey = `${prefix}/inputs/${name}`;
          await this.blobs.put(blobKey, artifact.data);
          refs[name] = { contentType: artifact.contentType, size: artifact.data.length, blobKey };
        }
      }
      const result = await this.host.execute({ service: this.host.name, task, inputs: refs, params, outputPrefix: `${prefix}/outputs` }, signal);
      const outputs: Record<string, Artifact> = {};
      for (const [name, ref] of Object.entries(result.outputs)) {
        outputs[name] = ref.blobKey ? { contentType: ref.contentType, data: await this.blobs.get(ref.blobKey) } : { contentType: 'application/json', value: ref.value };
      }
      return outputs;
    } finally {
      await this.blobs.deletePrefix(prefix).catch(() => undefined);
    }
  }
}
