import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnNodeApp } from '@aim/test-support';
import { median, table } from './stats';

const run = promisify(execFile);

interface LighthouseReport {
  lighthouseVersion: string;
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { numericValue?: number; details?: { items?: { url: string; resourceType?: string; transferSize?: number; resourceSize?: number }[] } }>;
  runWarnings: string[];
}

const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const;

/**
 * Lighthouse (its CLI, on Debian's Chromium, offline) on the webapp as the one-process marketplace
 * serves it: the catalogue and the pages a job goes through, on a phone (Lighthouse's mobile profile:
 * slow 4G and a 4x slower CPU, simulated) and a desktop. Prints the performance and accessibility
 * scores, the metrics they come from, and what the scripts weigh on the wire and unpacked.
 */
export async function benchWebapp(options: { root: string; testData: string; runs: number }): Promise<void> {
  console.log(`\n## Webapp: Lighthouse, median of ${options.runs} runs per page and form factor`);
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-bench-webapp-'));
  const marketplace = await spawnNodeApp(join(options.root, 'dist/apps/marketplace/main.js'), {
    cwd: options.root,
    port: await freePort(),
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ML_BACKEND: 'wasm', SUBMIT_RATE_PER_SECOND: '0' },
    timeoutMs: 120_000,
  });
  try {
    // One finished job, owned by the cookie Lighthouse will send: the jobs list, the job page and a run page showing it.
    const form = new FormData();
    form.append('image', new Blob([readFileSync(join(options.testData, 'faces/sample1.jpg'))], { type: 'image/jpeg' }), 'sample1.jpg');
    const submitted = await fetch(`${marketplace.url}/api/v1/pipelines/anonymise-faces/jobs`, { method: 'POST', body: form, headers: { Prefer: 'wait=60' } });
    const cookie = (submitted.headers.get('set-cookie') ?? '').split(';')[0];
    const job = (await submitted.json()) as { id: string; status: string };
    if (job.status !== 'succeeded') throw new Error(`the job for the pages did not succeed: ${JSON.stringify(job)}`);
    const pages = ['/', '/pipelines/anonymise-faces', `/run/pipeline/anonymise-faces?job=${job.id}`, '/jobs', `/jobs/${job.id}`];
    const rows: (string | number)[][] = [['page', 'form factor', 'performance', 'accessibility', 'FCP ms', 'LCP ms', 'TBT ms', 'CLS', 'SI ms', 'JS on the wire kB', 'JS unpacked kB']];
    let version = '';
    for (const page of pages) {
      for (const formFactor of ['mobile', 'desktop'] as const) {
        const reports: LighthouseReport[] = [];
        for (let i = 0; i < options.runs; i++) reports.push(await lighthouseWithRetry(options.root, `${marketplace.url}${page}`, formFactor, cookie));
        version = reports[0].lighthouseVersion;
        const warnings = [...new Set(reports.flatMap((report) => report.runWarnings))];
        if (warnings.length) console.log(`${page} ${formFactor}: ${warnings.join('; ')}`);
        const scripts = (reports[0].audits['network-requests']?.details?.items ?? []).filter((item) => item.resourceType === 'Script');
        const kB = (bytes: number) => (bytes / 1000).toFixed(0);
        rows.push([
          page.replace(job.id, '<job>'),
          formFactor,
          Math.round(median(reports.map((report) => report.categories['performance'].score ?? 0)) * 100),
          Math.round(median(reports.map((report) => report.categories['accessibility'].score ?? 0)) * 100),
          ...METRICS.map((metric) => {
            const value = median(reports.map((report) => report.audits[metric].numericValue ?? NaN));
            return metric === 'cumulative-layout-shift' ? value.toFixed(3) : Math.round(value);
          }),
          kB(scripts.reduce((sum, item) => sum + (item.transferSize ?? 0), 0)),
          kB(scripts.reduce((sum, item) => sum + (item.resourceSize ?? 0), 0)),
        ]);
      }
    }
    console.log(`Lighthouse ${version}, Chromium at ${chromiumPath()}, marketplace at ${marketplace.url}`);
    console.log(table(rows));
  } finally {
    await marketplace.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
}

/** Lighthouse now and then fails to record its trace (NO_NAVSTART) on this machine: such a run is run again, and said. */
async function lighthouseWithRetry(root: string, url: string, formFactor: 'mobile' | 'desktop', cookie: string, attempts = 3): Promise<LighthouseReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await lighthouse(root, url, formFactor, cookie);
    } catch (error) {
      const reason = String((error as { stderr?: string }).stderr ?? error).trim().split('\n')[0];
      if (attempt >= attempts) throw new Error(`Lighthouse failed ${attempts} times on ${url} (${formFactor}): ${reason}`);
      console.log(`Lighthouse failed on ${url} (${formFactor}), run again: ${reason}`);
    }
  }
}

async function lighthouse(root: string, url: string, formFactor: 'mobile' | 'desktop', cookie: string): Promise<LighthouseReport> {
  const args = [
    join(root, 'node_modules/lighthouse/cli/index.js'),
    url,
    '--quiet',
    '--output=json',
    '--output-path=stdout',
    '--only-categories=performance,accessibility',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
    `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
    ...(formFactor === 'desktop' ? ['--preset=desktop'] : []),
  ];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, CHROME_PATH: chromiumPath() }, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LighthouseReport;
}
