import { Artifact, ArtifactRef, ErrorCode, isJsonArtifact, JsonArtifact, MarketplaceError, storeFault } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';

/** A JSON value as it crosses: inline, with its size. */
export function jsonRef(artifact: JsonArtifact): ArtifactRef {
  return { contentType: artifact.contentType, size: JSON.stringify(artifact.value ?? null).length, value: artifact.value };
}

/**
 * The service side of files by reference: reads a task's inputs from the BlobStore before its handler
 * runs, and stores the files it produced afterwards. An output that is one of the inputs unchanged (the
 * very same bytes, as a thumbnail of an image that already fits) keeps the input's key: no second file.
 */
export class TaskArtifacts {
  private readonly loadedFrom = new WeakMap<Uint8Array, ArtifactRef>();

  constructor(private readonly blobs: BlobStore) {}

  async load(inputs: Record<string, ArtifactRef>): Promise<Record<string, Artifact>> {
    const loaded: Record<string, Artifact> = {};
    for (const [name, ref] of Object.entries(inputs)) {
      if (!ref.blobKey) {
        loaded[name] = { contentType: 'application/json', value: ref.value };
        continue;
      }
      let data: Uint8Array;
      try {
        data = await this.blobs.get(ref.blobKey);
      } catch (error) {
        throw this.unreadable(name, error);
      }
      this.loadedFrom.set(data, ref);
      loaded[name] = { contentType: ref.contentType, data };
    }
    return loaded;
  }

  async store(outputPrefix: string, outputs: Record<string, Artifact>): Promise<Record<string, ArtifactRef>> {
    const refs: Record<string, ArtifactRef> = {};
    for (const [name, artifact] of Object.entries(outputs)) {
      if (isJsonArtifact(artifact)) {
        refs[name] = jsonRef(artifact);
        continue;
      }
      const input = this.loadedFrom.get(artifact.data);
      if (input?.blobKey && input.contentType === artifact.contentType) {
        refs[name] = { contentType: artifact.contentType, size: input.size, blobKey: input.blobKey };
        continue;
      }
      const blobKey = `${outputPrefix}/${name}`;
      await this.blobs.put(blobKey, artifact.data);
      refs[name] = { contentType: artifact.contentType, size: artifact.data.length, blobKey };
    }
    return refs;
  }

  /** Trouble with the store itself may pass (retryable); a file that is not there will not come back. */
  private unreadable(name: string, error: unknown): MarketplaceError {
    const fault = storeFault(error);
    if (fault instanceof MarketplaceError) return fault;
    return new MarketplaceError(ErrorCode.InputMissing, `the file of input "${name}" could not be read: ${(error as Error).message}`);
  }
}
