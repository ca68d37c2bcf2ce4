import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root (the folder holding nx.json), where the service libraries keep their model
 * files and dist/ holds the built webapp; the bundle runs from dist/apps/<app>, tests from src.
 */
export function workspaceRoot(from = __dirname): string {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return folder;
    if (dirname(folder) === folder) return process.cwd();
  }
}
