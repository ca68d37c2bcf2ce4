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

/** What to tell a person about a failed call: the API's own message, or what to check. */
export function describeError(error: unknown): string {
  if (error instanceof MarketplaceApiError) {
    if (error.code === 'UNREACHABLE') return 'The marketplace server cannot be reached. Is it running?';
    if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') return `${error.message}. Enter the admin key in the editor page.`;
    return error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.';
  }
  return error instanceof Error ? error.message : String(error);
}
