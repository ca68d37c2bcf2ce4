import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OwnerCookieJar } from '@aim/client';

/**
 * Without an API key the server makes the CLI the owner of its jobs through a cookie; it is kept per
 * server (readable by this user only), so `marketplace jobs` shows the jobs of earlier runs.
 */
export class OwnerStore {
  private readonly file = join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'ai-marketplace', 'owners.json');

  jarFor(baseUrl: string): OwnerCookieJar & { save(): void } {
    const origin = new URL(baseUrl).origin;
    const all = this.read();
    const initial = all[origin];
    const jar = {
      cookie: initial,
      save: () => {
        if (!jar.cookie || jar.cookie === initial) return;
        mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
        writeFileSync(this.file, JSON.stringify({ ...this.read(), [origin]: jar.cookie }, null, 2), { mode: 0o600 });
      },
    };
    return jar;
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
}
