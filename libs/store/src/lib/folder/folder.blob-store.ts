import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSafeBlobKey, BlobStore } from '../blob-store.port';
import { storeFault } from '../store-faults';

const TEMPORARY = /\.[0-9a-f-]{36}\.tmp$/;

/**
 * Files up to this size are written and read with synchronous calls: a few microseconds in the page
 * cache, where each call through the thread pool costs more than the copy (and waits behind image work).
 */
const SMALL = 256 * 1024;

/** Joins the key segments below the folder of a key; `~` never occurs in a key. */
const FLAT = '~';

/** Folders made since start (one per job, usually): a second write into one needs no mkdir. */
const KNOWN_FOLDERS = 10_000;

/**
 * Blobs as files under one folder. The first two segments of a key are folders, the rest one file name
 * (`jobs/<id>/steps/crop/0/image` is the file `steps~crop~0~image` in `jobs/<id>/`): a job costs one
 * mkdir, not one per level, which was the largest cost of a small job. Writes go to a temporary file
 * first, so a crash leaves no half file under a key. Files of the earlier nested layout are still read.
 */
export class FolderBlobStore extends BlobStore {
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {
    super();
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      const folder = dirname(path);
      if (data.length <= SMALL) {
        if (!this.folders.has(folder)) mkdirSync(folder, { recursive: true });
        writeFileSync(temporary, data);
        renameSync(temporary, path);
      } else {
        if (!this.folders.has(folder)) await mkdir(folder, { recursive: true });
        await writeFile(temporary, data);
        await rename(temporary, path);
      }
      this.remember(folder);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never written
      }
      // A folder removed behind this process's back: forget it and write again, making it anew.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && this.folders.delete(dirname(path))) return this.put(key, data);
      throw storeFault(error);
    }
  }

  async get(key: string): Promise<Buffer> {
    for (const path of this.pathsOf(key)) {
      let size: number;
      try {
        size = statSync(path).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      return size <= SMALL ? readFileSync(path) : readFile(path);
    }
    throw Object.assign(new Error(`no blob "${key}"`), { code: 'ENOENT' });
  }

  async exists(key: string): Promise<boolean> {
    return this.pathsOf(key).some((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertSafeBlobKey(prefix.replace(/\/+$/, ''));
    const parts = prefix.replace(/\/+$/, '').split('/');
    if (parts.length <= 2) {
      const folder = join(this.root, ...parts);
      for (const known of this.folders) if (known === folder || known.startsWith(`${folder}/`)) this.folders.delete(known);
      await rm(folder, { recursive: true, force: true });
      return;
    }
    // Below a key folder: the flat files that start with the prefix, and the nested folder of old.
    const folder = join(this.root, parts[0], parts[1]);
    const start = parts.slice(2).join(FLAT);
    const names = await readdir(folder).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name === start || name.startsWith(`${start}${FLAT}`)).map((name) => rm(join(folder, name), { force: true })));
    await rm(join(this.root, ...parts), { recursive: true, force: true });
  }

  async listFolders(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.root, prefix.replace(/\/+$/, '')), { withFileTypes: true });
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

  private remember(folder: string): void {
    if (this.folders.size >= KNOWN_FOLDERS) this.folders.clear();
    this.folders.add(folder);
  }

  /** Where a key is written: its first two segments as folders, the rest as one file name. */
  private pathOf(key: string): string {
    assertSafeBlobKey(key);
    const parts = key.split('/');
    return parts.length <= 3 ? join(this.root, ...parts) : join(this.root, parts[0], parts[1], parts.slice(2).join(FLAT));
  }

  /** Where a key may be read: the current layout, then the nested one of earlier versions. */
  private pathsOf(key: string): string[] {
    const path = this.pathOf(key);
    const nested = join(this.root, key);
    return path === nested ? [path] : [path, nested];
  }
}
