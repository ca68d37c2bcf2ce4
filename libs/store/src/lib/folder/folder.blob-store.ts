import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSafeBlobKey, BlobStore } from '../blob-store.port';
import { storeFault } from '../store-faults';

const TEMPORARY = /\.[0-9a-f-]{36}\.tmp$/;

/** Blobs as files under one folder; writes go to a temporary file first, so a crash leaves no half file. */
export class FolderBlobStore extends BlobStore {
  constructor(private readonly root: string) {
    super();
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, data);
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw storeFault(error);
    }
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
  }

  async listFolders(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.pathOf(prefix.replace(/\/+$/, '')), { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Removes half-written files a crash left behind (writes go to `<name>.<uuid>.tmp` first); answers how many. */
  async sweepTemporaryFiles(): Promise<number> {
    let removed = 0;
    const visit = async (folder: string): Promise<void> => {
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await visit(path);
        else if (TEMPORARY.test(entry.name) && (await unlink(path).then(() => true, () => false))) removed++;
      }
    };
    await visit(this.root);
    return removed;
  }

  private pathOf(key: string): string {
    assertSafeBlobKey(key);
    return join(this.root, key);
  }
}
