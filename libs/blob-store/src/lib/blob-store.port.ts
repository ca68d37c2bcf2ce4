/** Where the bytes of job inputs and outputs live. Keys look like `jobs/<id>/inputs/image`. */
export abstract class BlobStore {
  abstract put(key: string, data: Uint8Array): Promise<void>;
  /** Throws when the key does not exist. */
  abstract get(key: string): Promise<Buffer>;
  abstract exists(key: string): Promise<boolean>;
  /** Removes every blob under the key folder `prefix` (e.g. `jobs/<id>`). */
  abstract deletePrefix(prefix: string): Promise<void>;
  /** Names of the key folders right under `prefix` (`jobs` gives the job ids that have files). */
  abstract listFolders(prefix: string): Promise<string[]>;
  /**
   * Removes what interrupted writes left behind, untouched for at least `minAgeMs` (a write of another
   * process on the same store may be under way); answers how many were removed.
   */
  abstract sweepTemporaryFiles(minAgeMs?: number): Promise<number>;

  /** Lets go of connections and files; nothing is lost (every write is complete when its promise resolves). */
  async close(): Promise<void> {
    /* nothing to let go of by default */
  }
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

export function assertSafeBlobKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`invalid blob key "${key}"`);
  }
}
