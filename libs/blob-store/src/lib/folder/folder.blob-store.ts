import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSafeBlobKey, BlobStore } from '../blob-store.port';
import { storeFault } from '@aim/contracts';

const TEMPORARY = /\.[0-9a-f-]{36}\.tmp$/;

/**
 * Files up to this size are written and read with synchronous calls: a few microseconds in the page
 * cache, where each call through the thread pool costs more than the copy (and waits behind image work).
 */
const SMALL = 256 * 1024;

/** Joins the segments of a key into one file name; `~` never occurs in a key. */
const FLAT = '~';

/** Folders made since start: a write into one already made needs no mkdir. */
const KNOWN_FOLDERS = 10_000;

/**
 * The bytes of the latest small writes, kept for their first read: a job's input is written at submit and
 * read by its first step a moment later, a step's output by the next step. At most this many bytes, the
 * oldest let go first (counted as the memory they hold, a pooled slice as its whole pool); each is given to
 * one reader only, later reads go to the file.
 */
const HAND_OVER_BYTES = 16 * 1024 * 1024;
const HAND_OVER_LARGEST = 1024 * 1024;

/**
 * Blobs as files under one folder. A key's first segment is a folder, its key folder (the second segment,
 * a job id) picks one of 256 shard folders in it by its first two characters, and the whole key below the
 * first segment is the file name: `jobs/3f2a…/steps/crop/0/image` is the file `3f2a…~steps~crop~0~image`
 * in `jobs/~3f/`. A job costs no mkdir at all (a mkdir cost as much as the write itself, and one per job
 * was the largest file-system cost of a small job). Shard folders start with `~`, which no key holds, so
 * they never meet a key folder. Writes go to a temporary file first, so a crash leaves no half file under
 * a key. Files of the two earlier layouts (a folder per job, flat or nested below it) are still read and
 * deleted.
 */
export class FolderBlobStore extends BlobStore {
  private readonly folders = new Set<string>();
  private readonly handOver = new Map<string, Buffer>();
  private handOverBytes = 0;

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
      this.keepForFirstRead(key, data);
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
    const kept = this.takeKept(key);
    if (kept) return kept;
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
    const key = prefix.replace(/\/+$/, '');
    assertSafeBlobKey(key);
    for (const kept of this.handOver.keys()) if (kept === key || kept.startsWith(`${key}/`)) this.takeKept(kept);
    const parts = key.split('/');
    if (parts.length === 1) {
      const folder = join(this.root, key);
      for (const known of this.folders) if (known === folder || known.startsWith(`${folder}/`)) this.folders.delete(known);
      await rm(folder, { recursive: true, force: true });
      return;
    }
    // The files of the key and below it in its shard folder, then the folders of the earlier layouts.
    const start = parts.slice(1).join(FLAT);
    await this.removeFilesStartingWith(join(this.root, parts[0], shardOf(parts[1])), start);
    if (parts.length === 2) {
      await rm(join(this.root, parts[0], parts[1]), { recursive: true, force: true });
      return;
    }
    await this.removeFilesStartingWith(join(this.root, parts[0], parts[1]), parts.slice(2).join(FLAT));
    await rm(join(this.root, ...parts), { recursive: true, force: true });
  }

  /** The key folders under a one-segment prefix that have files (`jobs` gives the job ids), in any layout. */
  async listFolders(prefix: string): Promise<string[]> {
    const folder = join(this.root, prefix.replace(/\/+$/, ''));
    const names = new Set<string>();
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory()) continue;
      if (!entry.name.startsWith(FLAT)) {
        names.add(entry.name);
        continue;
      }
      for (const file of await readdir(join(folder, entry.name)).catch(() => [] as string[])) names.add(file.replace(TEMPORARY, '').split(FLAT)[0]);
    }
    return [...names];
  }

  /** Removes half-written files a crash left behind (writes go to `<name>.<uuid>.tmp` first), older than `minAgeMs`; answers how many. */
  async sweepTemporaryFiles(minAgeMs = 0): Promise<number> {
    let removed = 0;
    const before = Date.now() - minAgeMs;
    const visit = async (folder: string): Promise<void> => {
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await visit(path);
        else if (!TEMPORARY.test(entry.name)) continue;
        else if (minAgeMs > 0 && ((await stat(path).catch(() => undefined))?.mtimeMs ?? before) > before) continue;
        else if (await unlink(path).then(() => true, () => false)) removed++;
      }
    };
    await visit(this.root);
    return removed;
  }

  private keepForFirstRead(key: string, data: Uint8Array): void {
    this.takeKept(key);
    if (held(data) > HAND_OVER_LARGEST) return; // a large file, or a small view of a large allocation
    this.handOver.set(key, Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.handOverBytes += held(data);
    for (const oldest of this.handOver.keys()) {
      if (this.handOverBytes <= HAND_OVER_BYTES) break;
      this.takeKept(oldest);
    }
  }

  private takeKept(key: string): Buffer | undefined {
    const kept = this.handOver.get(key);
    if (kept) {
      this.handOver.delete(key);
      this.handOverBytes -= held(kept);
    }
    return kept;
  }

  private remember(folder: string): void {
    if (this.folders.size >= KNOWN_FOLDERS) this.folders.clear();
    this.folders.add(folder);
  }

  private async removeFilesStartingWith(folder: string, start: string): Promise<void> {
    const names = await readdir(folder).catch(() => [] as string[]);
    const matches = (name: string) => {
      const stem = name.replace(TEMPORARY, '');
      return stem === start || stem.startsWith(`${start}${FLAT}`);
    };
    await Promise.all(names.filter(matches).map((name) => rm(join(folder, name), { force: true })));
  }

  /** Where a key is written: the first segment a folder, the key folder's shard in it, the rest one file name. */
  private pathOf(key: string): string {
    assertSafeBlobKey(key);
    const parts = key.split('/');
    return parts.length === 1 ? join(this.root, key) : join(this.root, parts[0], shardOf(parts[1]), parts.slice(1).join(FLAT));
  }

  /** Where a key may be read: the current layout, then a folder per key folder (flat, then nested) of earlier versions. */
  private pathsOf(key: string): string[] {
    const parts = key.split('/');
    const paths = [this.pathOf(key)];
    if (parts.length >= 3) paths.push(join(this.root, parts[0], parts[1], parts.slice(2).join(FLAT)));
    if (parts.length >= 2) paths.push(join(this.root, key));
    return [...new Set(paths)];
  }
}

/** The memory a kept buffer holds on to: a small one may be a slice of a larger pooled allocation. */
function held(data: Uint8Array): number {
  return Math.max(data.byteLength, data.buffer.byteLength);
}

/** The shard folder of a key folder: `~` and its first two characters (256 folders for hexadecimal ids). */
function shardOf(keyFolder: string): string {
  return `${FLAT}${keyFolder.slice(0, 2)}`;
}
