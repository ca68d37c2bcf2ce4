import { Injectable, signal } from '@angular/core';
import { MarketplaceApiError, MarketplaceClient } from '@aim/client';

const KEY_STORAGE = 'aim.adminKey';

/**
 * The API client of the page's own origin. Jobs run from this browser belong to it through the owner
 * cookie the server gives; the admin key the person entered (kept in this browser) is sent only for
 * what needs it, writing pipelines, so that the jobs and their images stay this browser's own.
 */
@Injectable({ providedIn: 'root' })
export class ApiService {
  readonly adminKey = signal<string>(localStorage.getItem(KEY_STORAGE) ?? '');
  readonly client = new MarketplaceClient();

  get adminClient(): MarketplaceClient {
    return this.client.withApiKey(this.adminKey() || undefined);
  }

  setAdminKey(key: string): void {
    this.adminKey.set(key);
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  }
}

/**
 * The API's messages speak to programs (`; GET /api/v1/jobs lists them`, `the X-API-Key header`): on a
 * page, the hint for a program goes, and the key is the field a person fills in.
 */
export function forPeople(message: string): string {
  return message
    .replace(/;\s*GET \/api\/v1\/\S+ lists (them|the \w+)/g, '')
    .replace(/:?\s*send it in the X-API-Key header/g, ': enter it in the admin key field of the editor page')
    .replace(/X-API-Key header/g, 'admin key field');
}

/** What to tell a person about a failed call: the API's own message in a person's words, or what to check. */
export function describeError(error: unknown): string {
  if (error instanceof MarketplaceApiError) {
    if (error.code === 'UNREACHABLE') return 'The marketplace server cannot be reached. Is it running?';
    const message = forPeople(error.message);
    const sentence = message.charAt(0).toUpperCase() + message.slice(1) + '.';
    if ((error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') && !/admin key field/.test(sentence)) return `${sentence} Enter the admin key in the editor page.`;
    return sentence;
  }
  return error instanceof Error ? error.message : String(error);
}
