import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
/** The repository's own test photos and digits (`testdata/`, see its README). */
export const TEST_DATA = join(WORKSPACE_ROOT, 'testdata');
export const MARKETPLACE_BUNDLE = join(WORKSPACE_ROOT, 'dist/apps/marketplace/main.js');

export function testFile(...parts: string[]): string {
  const path = join(TEST_DATA, ...parts);
  if (!existsSync(path)) throw new Error(`test data ${path} is missing from the repository's testdata/ folder`);
  return path;
}
