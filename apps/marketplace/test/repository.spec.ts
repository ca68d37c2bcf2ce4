import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { WORKSPACE_ROOT } from './support/paths';

/** A clone with nothing beside it must build, test and benchmark: nothing tracked may reach outside. */
describe('the repository stands alone', () => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => /\.(ts|js|mjs|cjs|json|md|sh|yml|yaml|html)$|^\.ci\/|Dockerfile$/.test(file) && file !== 'package-lock.json');
  const text = (file: string) => readFileSync(join(WORKSPACE_ROOT, file), 'utf8');
  const outside = (path: string) => relative(WORKSPACE_ROOT, path).startsWith('..');

  it('names no folder beside the repository', () => {
    // The brief's folder (data, DESIGN.md and the like) sat beside the checkout; a clone has none of it.
    const sibling = /(\.\.\/)+shared\/(data|[A-Z]+\.md)|\/work\/(shared|main)\b/;
    const offenders = tracked.filter((file) => file !== 'apps/marketplace/test/repository.spec.ts' && sibling.test(text(file)));
    expect(offenders).toEqual([]);
  });

  it('builds no path from a source folder that climbs out of the repository', () => {
    const pathCall = /(?:join|resolve)\(__dirname,\s*((?:'[^']*'\s*,?\s*)+)\)/g;
    const offenders: string[] = [];
    for (const file of tracked.filter((name) => /\.(ts|js|mjs)$/.test(name))) {
      for (const match of text(file).matchAll(pathCall)) {
        const parts = [...match[1].matchAll(/'([^']*)'/g)].map((part) => part[1]);
        if (outside(resolve(dirname(join(WORKSPACE_ROOT, file)), ...parts))) offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has every test file it reads', () => {
    expect(tracked).toEqual(expect.arrayContaining(['testdata/README.md', 'testdata/faces/faces.json']));
    const photos = execFileSync('git', ['ls-files', 'testdata'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).split('\n');
    expect(photos.filter((file) => file.endsWith('.jpg')).length).toBe(24);
  });

  it('lets Nx read every project without a warning (npm start prints none)', () => {
    const nx = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    });
    expect(nx.status).toBe(0);
    expect(nx.stdout.split('\n').filter(Boolean)).toEqual(expect.arrayContaining(['engine', 'marketplace', 'webapp']));
    expect(`${nx.stdout}${nx.stderr}`).not.toMatch(/warn|falling back/i);
  }, 60_000);
});
