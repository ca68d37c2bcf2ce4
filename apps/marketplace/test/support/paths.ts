import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
/** The shared test photos live beside the repository (`../shared/data`). */
export const SHARED_DATA = resolve(WORKSPACE_ROOT, '../shared/data');
export const MARKETPLACE_BUNDLE = join(WORKSPACE_ROOT, 'dist/apps/marketplace/main.js');

export function sharedFile(...parts: string[]): string {
  const path = join(SHARED_DATA, ...parts);
  if (!existsSync(path)) throw new Error(`test data ${path} is missing: the shared/ folder must sit beside the repository`);
  return path;
}
