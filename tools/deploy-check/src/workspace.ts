import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment } from '@aim/config';

export const ROOT = join(__dirname, '../../..');

/**
 * The apps that are deployed: the split shape's engine and every app whose main runs a service
 * process. A new service app is found here and must then have its Dockerfile, include file and manifests.
 */
export function deployableApps(): string[] {
  return readdirSync(join(ROOT, 'apps'))
    .filter((app) => {
      const main = join(ROOT, 'apps', app, 'src/main.ts');
      return app === 'engine' || (existsSync(main) && readFileSync(main, 'utf8').includes('runServiceProcess('));
    })
    .sort();
}

/** The Nx project name of an app folder (its project.json). */
export function projectOf(app: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'apps', app, 'project.json'), 'utf8')) as { name: string }).name;
}

/** The names of the settings the apps read: every property of libs/config's Environment. */
export function environmentNames(): Set<string> {
  return new Set(Object.keys(new Environment()));
}
