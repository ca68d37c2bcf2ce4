import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { NAMESPACES, OVERLAYS } from './manifests';
import { deployableApps, projectOf, ROOT } from './workspace';

const GCL = join(ROOT, 'node_modules/.bin/gitlab-ci-local');
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd, stdio: 'pipe' });

interface ListedJob {
  name: string;
  stage: string;
  when: string;
}

/**
 * A repository holding the pipeline files on `main` (also as origin/main, which gitlab-ci-local's
 * `rules: changes` compares with), and a branch for each change under test.
 */
function pipelineRepository(): string {
  const repo = mkdtempSync(join(tmpdir(), 'aim-gitlab-ci-'));
  const files = ['.gitlab-ci.yml', ...deployableApps().map((app) => `apps/${app}/${app}.gitlab-ci.yml`)];
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(ROOT, file), join(repo, file));
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'the pipeline');
  git(repo, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  git(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  return repo;
}

function runGcl(repo: string, args: string[], variables: Record<string, string>): string {
  const flags = Object.entries(variables).flatMap(([name, value]) => ['--variable', `${name}=${value}`]);
  return execFileSync(GCL, [...args, ...flags], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GCL_IGNORE_PREDEFINED_VARS: 'CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH' },
  });
}

/** The jobs that would run (when:never left out), by name, for these predefined variables. */
function jobsThatRun(repo: string, variables: Record<string, string>): Record<string, ListedJob> {
  const listed = JSON.parse(runGcl(repo, ['--list-json'], variables)) as ListedJob[];
  return Object.fromEntries(listed.filter((job) => job.when !== 'never').map((job) => [job.name, job]));
}

describe('the GitLab pipeline (.gitlab-ci.yml and apps/<app>/<app>.gitlab-ci.yml), read by gitlab-ci-local', () => {
  let repo: string;
  const apps = deployableApps();
  const appJobs = (app: string) => [`${app}-test`, `${app}-image`, ...(['face-detection', 'face-analyzer', 'digit-recognition'].includes(app) ? [`${app}-models`] : [])];

  beforeAll(() => {
    repo = pipelineRepository();
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  /** A merge request whose branch changes these files. */
  function mergeRequestChanging(branch: string, files: string[]): Record<string, ListedJob> {
    git(repo, 'checkout', '-q', '-B', branch, 'main');
    for (const file of files) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), `// changed by ${branch}\n`);
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', branch);
    try {
      return jobsThatRun(repo, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_BRANCH: branch });
    } finally {
      git(repo, 'checkout', '-q', 'main');
    }
  }

  it('every app has its include file, and the root includes each one', () => {
    const root = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')) as { include: { local: string }[]; stages: string[] };
    expect(root.stages).toEqual(['lint', 'prepare', 'test', 'build', 'deploy']);
    expect(root.include.map((entry) => entry.local).sort()).toEqual(apps.map((app) => `apps/${app}/${app}.gitlab-ci.yml`).sort());
  });

  it("each app's `rules: changes` are the app and exactly the projects it is made of (the Nx graph)", () => {
    const script = join(ROOT, 'tools/scripts/ci-projects.mjs');
    const closures = JSON.parse(execFileSync(process.execPath, [script, '--json', ...apps.map(projectOf)], { cwd: ROOT, encoding: 'utf8' })) as Record<string, string[]>;
    for (const app of apps) {
      const file = parse(readFileSync(join(ROOT, 'apps', app, `${app}.gitlab-ci.yml`), 'utf8')) as Record<string, { rules?: { changes?: string[] }[]; variables?: Record<string, string> }>;
      const template = file[`.${app}`];
      expect(template.variables?.['NX_PROJECT']).toBe(projectOf(app));
      const listed = (template.rules?.[0].changes ?? []).filter((path) => /^(apps|libs)\//.test(path)).map((path) => path.replace(/\/\*\*\/\*$/, ''));
      expect({ app, folders: listed.sort() }).toEqual({ app, folders: closures[projectOf(app)].sort() });
    }
  }, 120_000);

  it('a merge request that changes only the digit reader runs only its jobs and the shared ones', () => {
    const jobs = mergeRequestChanging('digits', ['libs/services/digit-recognition/src/lib/mnist-preprocess.ts']);
    expect(Object.keys(jobs).sort()).toEqual(['digit-recognition-image', 'digit-recognition-models', 'digit-recognition-test', 'lint']);
  });

  it('a merge request that changes the contracts runs the jobs of every app', () => {
    const jobs = mergeRequestChanging('contracts', ['libs/contracts/src/lib/errors.ts']);
    expect(Object.keys(jobs).sort()).toEqual([...apps.flatMap(appJobs), 'lint', 'store-contract'].sort());
  });

  it('a merge request that changes only the manifests runs their checks and builds nothing', () => {
    const jobs = mergeRequestChanging('manifests', ['k8s/base/engine/deployment.yaml']);
    expect(Object.keys(jobs).sort()).toEqual(['deploy-check', 'lint']);
  });

  it.each([
    ['dev', 'deploy-dev', 'on_success'],
    ['test', 'deploy-test', 'on_success'],
    ['main', 'deploy-prod', 'manual'],
  ])('a push to %s builds every app and deploys its overlay (%s, %s)', (branch, deployJob, when) => {
    const variables = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: branch };
    const jobs = jobsThatRun(repo, variables);
    expect(Object.keys(jobs).filter((name) => name.startsWith('deploy-') && name !== 'deploy-check')).toEqual([deployJob]);
    expect(jobs[deployJob]).toMatchObject({ stage: 'deploy', when });
    for (const name of apps.flatMap(appJobs)) expect(jobs[name]?.when).toBe('on_success');
    // What the deploy job does: the overlay and namespace of its environment, after every image it needs.
    const preview = parse(runGcl(repo, ['--preview'], variables)) as Record<string, { environment?: { name: string }; variables?: Record<string, string>; needs?: { job: string }[] }>;
    const overlay = preview[deployJob].variables?.['OVERLAY'] as (typeof OVERLAYS)[number];
    expect(OVERLAYS).toContain(overlay);
    expect(preview[deployJob].environment?.name).toBe(overlay === 'prod' ? 'prod' : branch);
    expect(preview[deployJob].variables?.['NAMESPACE']).toBe(NAMESPACES[overlay]);
    expect((preview[deployJob].needs ?? []).map((need) => need.job).sort()).toEqual(apps.map((app) => `${app}-image`).sort());
    expect(runGcl(repo, ['--validate-dependency-chain'], variables)).toContain('All job dependencies are valid');
  });
});
