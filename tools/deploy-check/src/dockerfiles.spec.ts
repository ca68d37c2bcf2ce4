import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { freePort } from '@aim/test-support';
import { parseDockerfile, ParsedDockerfile, Stage } from './dockerfile';
import { deployableApps, projectOf, ROOT } from './workspace';

const AI_APPS = ['face-detection', 'face-analyzer', 'digit-recognition'];
const apps = deployableApps();
const parsed = Object.fromEntries(apps.map((app) => [app, parseDockerfile(app)])) as Record<string, ParsedDockerfile>;
const runtime = (app: string): Stage => parsed[app].stages[parsed[app].stages.length - 1];
const stepsOf = (stage: Stage, keyword: string) => stage.steps.filter((step) => step.keyword === keyword);

/** The final stage's COPY steps, as [source path in the repository or a stage, destination in the image]. */
function runtimeCopies(app: string): { from: string; sources: string[]; destination: string }[] {
  const workdir = stepsOf(runtime(app), 'WORKDIR').at(-1)?.args[0] ?? '/';
  return stepsOf(runtime(app), 'COPY').map((step) => ({
    from: step.flags['from'] ?? 'context',
    sources: step.args.slice(0, -1),
    destination: posix.resolve(workdir, step.args.at(-1) ?? ''),
  }));
}

describe('the Dockerfile of each app (dockerfile-ast, dockerfile-utils)', () => {
  it('every deployed app has one, and .dockerignore keeps local output out of the context', () => {
    expect(apps.filter((app) => !existsSync(join(ROOT, 'apps', app, 'Dockerfile')))).toEqual([]);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.nx', '.git', 'data', '.env']) expect(ignored).toContain(entry);
  });

  it.each(apps)('%s: parses, and the validator finds nothing wrong', (app) => {
    expect(parsed[app].problems).toEqual([]);
    expect(parsed[app].stages.length).toBeGreaterThanOrEqual(3);
  });

  it.each(apps)('%s: multi-stage, from pinned images, a small runtime stage as a numeric non-root user, with a health check', (app) => {
    const stages = parsed[app].stages;
    const names = stages.map((stage) => stage.name);
    for (const stage of stages) {
      if (names.includes(stage.image)) continue;
      expect({ stage: stage.name, image: stage.image }).toEqual({ stage: stage.name, image: expect.stringMatching(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/) });
    }
    const last = runtime(app);
    // The runtime stage starts from the slim Node image itself, not from the toolchain or build stages.
    expect(names).not.toContain(last.image);
    expect(last.image).toMatch(/-slim$/);
    expect(stepsOf(last, 'RUN')).toEqual([]);
    const user = stepsOf(last, 'USER').at(-1)?.args[0] ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const healthcheck = stepsOf(last, 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0].args.join(' ')).toContain('/health/live');
    expect(stepsOf(last, 'EXPOSE').map((step) => step.args.join(' '))).toEqual(['3000']);
    expect(stepsOf(last, 'CMD').at(-1)?.args.join(' ')).toContain('main.js');
  });

  it.each(apps)('%s: builds its own project, and the runtime takes its bundle and only the packages that bundle requires', (app) => {
    const build = parsed[app].stages.find((stage) => stage.name === 'build');
    expect(stepsOf(build as Stage, 'RUN').map((step) => step.args.join(' '))).toContain(`npx nx build ${projectOf(app)}`);
    const copies = runtimeCopies(app);
    const bundle = copies.find((copy) => copy.sources.some((source) => source.endsWith('/main.js')));
    expect(bundle?.sources).toEqual([`/src/dist/apps/${app}/main.js`, `/src/dist/apps/${app}/main.js.map`]);
    const nodeModules = copies.find((copy) => copy.destination === '/app/node_modules');
    expect(nodeModules?.from).toBe('deps');
    const deps = parsed[app].stages.find((stage) => stage.name === 'deps') as Stage;
    expect(stepsOf(deps, 'COPY')[0].args).toEqual(expect.arrayContaining([`/src/dist/apps/${app}/package.json`, `/src/dist/apps/${app}/package-lock.json`]));
    expect(stepsOf(deps, 'RUN').map((step) => step.args.join(' '))).toContain('npm ci --omit=dev --no-audit --no-fund');
    // The native TensorFlow backend goes into the AI images, and only there.
    const tfjsNode = stepsOf(deps, 'RUN').some((step) => step.args.some((arg) => arg.startsWith('@tensorflow/tfjs-node@')));
    expect(tfjsNode).toBe(AI_APPS.includes(app));
  });

  it.each(apps)('%s: the package.json its build writes lists every package the bundle requires', (app) => {
    const bundle = readFileSync(join(ROOT, 'dist/apps', app, 'main.js'), 'utf8');
    const required = new Set([...bundle.matchAll(/require\("((?:@[\w.-]+\/)?[\w.-]+)(?:\/[^"]*)?"\)/g)].map((match) => match[1]).filter((name) => !name.startsWith('node:')));
    const manifest = JSON.parse(readFileSync(join(ROOT, 'dist/apps', app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(ROOT, 'dist/apps', app, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect([...required].filter((name) => !manifest.dependencies[name] && !lock.packages[`node_modules/${name}`])).toEqual([]);
    // A service's image carries no engine: no SQLite, no expression language.
    if (app !== 'engine') expect(Object.keys(manifest.dependencies)).not.toEqual(expect.arrayContaining(['better-sqlite3']));
    if (app !== 'engine') expect(Object.keys(manifest.dependencies)).not.toContain('jsonata');
  });
});

/**
 * The runtime stage as a folder: its COPY steps carried out from the repository (after the build), the
 * image's node_modules standing in by a link to the workspace's. Outside the repository, so that nothing
 * is found by walking up to nx.json: the app sees only what its image would hold.
 */
function assembleRuntime(app: string): string {
  const image = mkdtempSync(join(tmpdir(), `aim-image-${app}-`));
  for (const copy of runtimeCopies(app)) {
    const target = join(image, posix.relative('/app', copy.destination));
    if (copy.from === 'deps') {
      symlinkSync(join(ROOT, 'node_modules'), target);
      continue;
    }
    expect(copy.from).toBe('build');
    const many = copy.sources.length > 1 || copy.destination.endsWith('/');
    for (const source of copy.sources) {
      const inRepo = join(ROOT, posix.relative('/src', source));
      expect(existsSync(inRepo) ? inRepo : `missing: ${inRepo}`).toBe(inRepo);
      const destination = many || copy.destination === '/app' ? join(target, posix.basename(source)) : target;
      mkdirSync(dirname(destination), { recursive: true });
      cpSync(inRepo, destination, { recursive: true });
    }
  }
  return image;
}

/** The runtime stage's ENV, with /app standing for the folder. */
function runtimeEnvironment(app: string, image: string): Record<string, string> {
  const pairs = stepsOf(runtime(app), 'ENV').flatMap((step) => step.args.map((arg) => arg.split('=') as [string, string]));
  return Object.fromEntries(pairs.map(([name, value]) => [name, value.startsWith('/app') ? join(image, value.slice(4)) : value.startsWith('/data') ? join(image, 'data') : value]));
}

async function waitForLive(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output()}`);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).then((response) => response.ok, () => false);
    if (live) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the app did not come up:\n${output()}`);
}

describe('the runtime stage of each image holds what its app needs', () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  async function start(app: string, image: string) {
    const port = await freePort();
    // No broker at this address: the process starts anyway (and is not ready); live means its models loaded.
    const env = { PATH: process.env['PATH'] ?? '', ...runtimeEnvironment(app, image), PORT: String(port), NATS_URL: `nats://127.0.0.1:${await freePort()}`, ML_BACKEND: 'wasm', LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['main.js'], { cwd: image, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    return { port, child, output: () => output };
  }

  it.each(apps)('%s starts from its runtime files alone (bundle, models, webapp), its models loaded', async (app) => {
    const image = assembleRuntime(app);
    folders.push(image);
    const { port, child, output } = await start(app, image);
    try {
      await waitForLive(port, child, output);
      if (app === 'engine') {
        const page = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
        expect(page).toContain('<aim-root');
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('a service whose image lacks its model stops at once and says why (no process up and never ready)', async () => {
    const image = assembleRuntime('digit-recognition');
    folders.push(image);
    rmSync(join(image, 'libs/services/digit-recognition/model'), { recursive: true });
    const { child, output } = await start('digit-recognition', image);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output()).toContain('digit-recognition could not start');
    expect(output()).toContain('libs/services/digit-recognition/model');
  }, 60_000);
});
