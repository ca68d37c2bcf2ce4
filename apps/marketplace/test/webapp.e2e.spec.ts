import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchChromium } from './support/browser';
import { MarketplaceProcess, spawnMarketplace } from './support/marketplace.process';
import { testFile, WORKSPACE_ROOT } from './support/paths';

const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(WORKSPACE_ROOT, 'docs') : undefined;
const ADMIN_KEY = 'webapp-test-admin-key-0123';
const run = promisify(execFile);

describe('the webapp in headless Chromium, served by the one-process marketplace', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-e2e-'));
  let marketplace: MarketplaceProcess;
  let browser: Browser;
  let page: Page;
  /** What the browser refused under the Content-Security-Policy, on every page visited. */
  const policyViolations: string[] = [];

  const shot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.jpg`), type: 'jpeg', quality: 80, fullPage: true });
  };

  async function runPipeline(path: string, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await page.goto(`${marketplace.url}${path}`);
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
  }

  /** The job the page shows: `/jobs/<id>`, or the run page with its job beside the form (`?job=<id>`). */
  const JOB_IN_URL = /(?:\/jobs\/|[?&]job=)([0-9a-f-]{36})$/;
  const shownJob = () => JOB_IN_URL.exec(page.url())?.[1] ?? '';

  async function waitForStatus(status: string, timeout = 60_000): Promise<void> {
    await page.waitForURL(JOB_IN_URL, { timeout: 10_000 });
    await page.locator(`.card-head [data-status="${status}"]`).first().waitFor({ timeout });
  }

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    marketplace = await spawnMarketplace({ DATA_DIR: dataDir, ML_BACKEND: 'wasm', LOG_LEVEL: 'warn', ADMIN_API_KEY: ADMIN_KEY });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await marketplace?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the catalogue: every service available and the built-in pipelines runnable', async () => {
    await page.goto(marketplace.url);
    for (const service of ['digit-recognition', 'face-analyzer', 'face-detection', 'image-processing']) {
      await page.locator(`[data-service="${service}"] [data-status="available"]`).waitFor();
    }
    for (const pipeline of ['anonymise-faces', 'analyse-faces', 'read-digit', 'thumbnail']) {
      await page.locator(`[data-pipeline="${pipeline}"]`).getByText('runnable', { exact: true }).waitFor();
    }
    await page.getByLabel('search').fill('digit');
    await page.locator('[data-service="face-detection"]').waitFor({ state: 'detached' });
    await page.getByLabel('search').fill('');
    await shot('catalogue');
  }, 30_000);

  it('runs the anonymise pipeline on a photo, live, and shows the blurred image', async () => {
    await page.goto(`${marketplace.url}/pipelines/anonymise-faces`);
    await page.locator('aim-pipeline-graph g.node').first().waitFor();
    expect(await page.locator('aim-pipeline-graph g.node').count()).toBe(2);
    await shot('pipeline');
    await page.getByRole('link', { name: 'Run this pipeline' }).click();
    await page.locator('input[type=file]').setInputFiles(testFile('faces', 'sample3.jpg'));
    await page.locator('[data-param="strength"] input').fill('30');
    // The detector's own threshold: the pipeline's lower default also blurs a panel of sample3's door.
    await page.locator('[data-param="minScore"] input').fill('0.67');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus('succeeded');
    // Form and result on one page: the form on the left, its job live on the right (the desktop viewport).
    const [form, result] = [await page.locator('.run-form').boundingBox(), await page.locator('.run-result').boundingBox()];
    expect(result!.x).toBeGreaterThanOrEqual(form!.x + form!.width);
    expect(result!.y).toBeLessThan(form!.y + 100);
    const blurred = page.locator('[data-output="image"] img.result-image');
    await blurred.waitFor();
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await blurred.elementHandle());
    expect(await blurred.evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight])).toEqual([1920, 1350]);
    await page.locator('[data-output="faces"] .face-box').first().waitFor();
    expect(await page.locator('[data-output="faces"] .face-box').count()).toBe(3);
    expect(await page.locator('tr[data-step] [data-status="succeeded"]').count()).toBe(2);
    await shot('run');

    // The job's own page: the faces are drawn over the blurred output; no picture on it is the photo as it was sent.
    await page.getByRole('link', { name: 'Job page' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.locator('[data-output="faces"] .face-box').first().waitFor();
    const pictures = await page.locator('img').evaluateAll((images) => images.map((img) => img.getAttribute('src') ?? ''));
    expect(pictures.length).toBeGreaterThanOrEqual(2);
    expect(pictures.filter((src) => src.includes('/inputs/') || src.startsWith('blob:'))).toEqual([]);

    // Another browser (another owner cookie) is told the job does not exist, and gets none of its files.
    const jobUrl = page.url();
    const imageUrl = await blurred.getAttribute('src');
    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      await other.goto(jobUrl);
      await other.getByRole('alert').filter({ hasText: /There is no job .* of yours/ }).waitFor();
      expect((await other.request.get(`${marketplace.url}${imageUrl}`)).status()).toBe(404);
      expect(await (await other.request.get(`${marketplace.url}/api/v1/jobs`)).json()).toMatchObject({ total: 0, items: [] });
    } finally {
      await stranger.close();
    }
  }, 90_000);

  it('runs the analysis pipeline and draws one labelled box per face', async () => {
    await runPipeline('/run/pipeline/analyse-faces', testFile('faces', 'sample3.jpg'));
    await waitForStatus('succeeded');
    const boxes = page.locator('[data-output="report"] .face-box');
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(3);
    for (const label of await boxes.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-label')))) {
      expect(label).toMatch(/^(female|male), \d+, \w+, \w+$/);
    }
    expect(await page.locator('[data-output="report"] table.faces tbody tr').count()).toBe(3);
    // How sure the model was, for each reading, with one rounding rule.
    for (const cell of await page.locator('[data-output="report"] [data-emotion]').allTextContents()) expect(cell).toMatch(/^\w+ \(\d+%\)$/);
    await shot('job-analysis');
  }, 90_000);

  it('runs the digit service alone and shows the right digit with its probabilities', async () => {
    await page.goto(`${marketplace.url}/services/digit-recognition`);
    await shot('service');
    await page.locator('[data-task="read"]').getByRole('link', { name: 'Run' }).click();
    await page.locator('input[type=file]').setInputFiles(testFile('digits', 'digit-7-07.jpg'));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus('succeeded');
    await page.locator('[data-digit]').waitFor();
    expect((await page.locator('[data-digit]').textContent())?.trim()).toBe('7');
    expect(await page.locator('.bar-row').count()).toBe(10);
    expect(await page.locator('[data-unsure]').count()).toBe(0);
    // What it was given is on the job's page: the digit image itself (no result picture hides it), and the parameters.
    await page.getByRole('link', { name: 'Job page' }).click();
    await page.locator('[data-input-image]').waitFor();
    expect(await page.locator('[data-params]').textContent()).toMatch(/Parameters:\s+the defaults/);
    await shot('job-digit');
  }, 60_000);

  it('marks a reading of something that is not a digit as unsure', async () => {
    await page.goto(`${marketplace.url}/run/task/digit-recognition/read`);
    await page.locator('input[type=file]').setInputFiles(testFile('faces', 'messi5.jpg'));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus('succeeded');
    await page.locator('[data-digit]').waitFor();
    expect(await page.locator('[data-unsure]').count()).toBe(1);
  }, 60_000);

    it('answers a file that is not an image with a message a person understands', async () => {
    await runPipeline('/run/pipeline/thumbnail', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are my notes, not a photo') });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Input "image" is not an image that can be read; upload a JPEG, PNG or WebP file\./);
    expect(page.url()).toMatch(/\/run\/pipeline\/thumbnail$/);
  }, 30_000);

  it('runs an example in one click; its "Copy as curl" gives the same result in a shell; the result downloads', async () => {
    await page.goto(`${marketplace.url}/run/pipeline/thumbnail`);
    await page.getByRole('button', { name: 'use example sample1.jpg' }).click();
    await page.locator('.preview').waitFor();
    await page.locator('[data-param="width"] input').fill('120');
    await page.getByText('Copy as curl, CLI or TypeScript').click();
    const curl = (await page.locator('pre[data-snippet="curl"]').textContent()) ?? '';
    expect(curl).toContain("-F 'image=@sample1.jpg'");
    expect(curl).toContain(`-F 'params={"width":120}'`);
    expect(await page.locator('pre[data-snippet="cli"]').textContent()).toMatch(/^npx marketplace run 'thumbnail' 'sample1\.jpg' .*--param 'width=120'$/);
    expect(await page.locator('pre[data-snippet="typescript"]').textContent()).toContain('client.submitJob("thumbnail", { files: { "image": new Blob([readFileSync("sample1.jpg")]) }, params: {"width":120} })');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus('succeeded');
    const id = shownJob();
    const fromPage = await page.evaluate(async (jobId) => ((await (await fetch(`/api/v1/jobs/${jobId}`)).json()) as { outputs: { thumbnail: { size: number; contentType: string } } }).outputs.thumbnail, id);
    // The command as copied, in a shell, in the folder of the file: the same output.
    const { stdout } = await run('bash', ['-c', curl], { cwd: join(WORKSPACE_ROOT, 'testdata/faces') });
    const fromShell = JSON.parse(stdout) as { status: string; outputs: { thumbnail: { size: number; contentType: string } } };
    expect(fromShell.status).toBe('succeeded');
    expect([fromShell.outputs.thumbnail.contentType, fromShell.outputs.thumbnail.size]).toEqual([fromPage.contentType, fromPage.size]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-output="thumbnail"] [data-download]').click()]);
    const saved = readFileSync((await download.path())!);
    expect(saved.length).toBe(fromPage.size);
    expect((await sharp(saved).metadata()).width).toBe(120);
    // Run again, from the job's page, starts from the same image and parameters.
    await page.goto(`${marketplace.url}/jobs/${id}`);
    await page.getByRole('link', { name: 'Run again' }).click();
    await page.locator('.preview').waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-param="width"] input') as HTMLInputElement | null)?.value === '120');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL((url) => JOB_IN_URL.test(url.href) && !url.href.endsWith(id));
    await waitForStatus('succeeded');
    const again = await page.evaluate(async (jobId) => ((await (await fetch(`/api/v1/jobs/${jobId}`)).json()) as { params: unknown; outputs: { thumbnail: { size: number } } }), shownJob());
    expect([again.params, again.outputs.thumbnail.size]).toEqual([{ width: 120 }, fromPage.size]);
    // A reload of the run page keeps both: the form as it was sent and its result beside it.
    await page.reload();
    await page.locator('.preview').waitFor();
    await page.locator('.run-result [data-output="thumbnail"] img.result-image').waitFor();
    expect(await page.locator('[data-param="width"] input').inputValue()).toBe('120');
  }, 60_000);

  it('shows what the server refused at its field (problems[].path), and suggests a list where a list is needed', async () => {
    await page.goto(`${marketplace.url}/run/task/image-processing/blur`);
    await page.locator('input[type=file]').setInputFiles(testFile('faces', 'sample1.jpg'));
    const regions = page.locator('[data-param="regions"] textarea');
    expect(await regions.getAttribute('placeholder')).toMatch(/^JSON, e\.g\. \[\{"x":/);
    // Valid JSON, so the form sends it; one region instead of a list of them, which the task's schema refuses.
    await regions.fill('{"x": 1, "y": 1, "width": 5, "height": 5}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const atField = page.locator('[data-param="regions"] .field-error');
    await atField.waitFor();
    expect(await atField.textContent()).toContain('must be array');
    expect(await page.locator('.error[role=alert]').textContent()).toContain('See the fields marked below.');
    expect(page.url()).toMatch(/\/run\/task\/image-processing\/blur$/);
    // Editing the field clears what the server said about it.
    await regions.fill('[{"x": 1, "y": 1, "width": 5, "height": 5}]');
    await atField.waitFor({ state: 'detached' });

    // "At least one of" (the schema's anyOf) is checked before anything is sent: resize needs a width or a height.
    await page.goto(`${marketplace.url}/run/task/image-processing/resize`);
    await page.locator('input[type=file]').setInputFiles(testFile('faces', 'sample1.jpg'));
    const run = page.getByRole('button', { name: 'Run', exact: true });
    expect(await page.locator('[data-any-of]').textContent()).toBe('Fill in width or height (at least one).');
    expect(await run.isDisabled()).toBe(true);
    await page.locator('[data-param="height"] input').fill('100');
    await page.locator('[data-any-of]').waitFor({ state: 'detached' });
    expect(await run.isEnabled()).toBe(true);
  }, 30_000);

  it('cancels a running job from its page', async () => {
    const big = await sharp(testFile('faces', 'sample2.jpg')).resize(6000).jpeg({ quality: 80 }).toBuffer();
    await page.goto(`${marketplace.url}/run/task/image-processing/blur`);
    await page.locator('input[type=file]').setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: big });
    await page.locator('[data-param="sigma"] input').fill('200');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus('running', 20_000);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.card-head [data-status="cancelled"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-job-error]').textContent()).toContain('Cancelled');
  }, 60_000);

  it('lists the jobs with filters, and shows pipeline problems at their line in the editor', async () => {
    await page.goto(`${marketplace.url}/jobs`);
    await page.locator('tr[data-job]').first().waitFor();
    expect(await page.locator('tr[data-job]').count()).toBe(7);
    await shot('jobs');
    // What each job made, in a few words: the faces counted, the digits read (the not-a-digit one marked unsure).
    const results = await page.locator('tr[data-job] [data-result]').allTextContents();
    expect(results.filter((result) => result === 'image · 3 faces')).toHaveLength(2);
    expect(results.filter((result) => /^7 \(\d+%\)$/.test(result))).toHaveLength(1);
    expect(results.filter((result) => /^\d \(\d+%, unsure\)$/.test(result))).toHaveLength(1);
    // The anonymised (and the analysed) job's picture is the image it made, never the photo it was given.
    const withFaces = page.locator('tr[data-job]', { has: page.getByText('image · 3 faces', { exact: true }) }).locator('img[data-thumbnail]');
    expect(await withFaces.evaluateAll((images) => images.map((img) => /\/outputs\/\w+$/.test(img.getAttribute('src') ?? '')))).toEqual([true, true]);
    // A job still running, or cancelled, shows no picture: only a finished job's outputs are known.
    expect(await page.locator('tr[data-job]', { has: page.locator('[data-status="cancelled"]') }).locator('img').count()).toBe(0);
    expect(await page.locator('img[data-thumbnail]').count()).toBe(6);
    await page.getByLabel('status').selectOption('cancelled');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-job]').length === 1);
    // A task run alone is a choice of the filter too: the one blur job of this browser (cancelled above).
    await page.getByLabel('status').selectOption('');
    await page.getByLabel('pipeline').selectOption('task:image-processing.blur');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-job]').length === 1);
    expect(await page.locator('tr[data-job] [data-what]').textContent()).toBe('image-processing · blur');
    // Messages meant for programs are said for people: no API route to call.
    await page.goto(`${marketplace.url}/pipelines/no-such-pipeline`);
    const missing = page.getByRole('alert');
    await missing.waitFor();
    expect(await missing.textContent()).toBe('There is no pipeline "no-such-pipeline".');

    await page.goto(`${marketplace.url}/editor`);
    await page.getByLabel('admin key').fill(ADMIN_KEY);
    const broken = {
      id: 'broken',
      name: 'Broken',
      inputs: { image: { contentTypes: ['image/jpeg'] } },
      steps: [{ id: 'small', service: 'image-processing', task: 'resize', inputs: { image: 'inputs.image' }, params: { width: -5 } }],
      outputs: { image: 'small.image' },
    };
    await page.getByLabel('pipeline JSON').fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Check' }).click();
    const problem = page.locator('.problems li');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/line 20 · steps\[0\]\.params\.width must be >= 1/);
    await shot('editor');
    broken.steps[0].params.width = 64;
    await page.getByLabel('pipeline JSON').fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “broken”.' }).waitFor();
  }, 60_000);

  it('duplicates a built-in pipeline into the editor, adds a step from the palette, and saves the copy', async () => {
    await page.goto(`${marketplace.url}/pipelines/thumbnail`);
    await page.getByRole('link', { name: 'Duplicate and edit' }).click();
    const text = page.getByLabel('pipeline JSON');
    await page.waitForFunction(() => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('thumbnail-copy'));
    await page.getByRole('button', { name: 'image-processing · greyscale' }).click();
    await page.waitForFunction(() => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('"task": "greyscale"'));
    const definition = JSON.parse(await text.inputValue()) as { id: string; name: string; steps: { id: string; task: string; inputs: Record<string, string> }[]; outputs: Record<string, string> };
    expect([definition.id, definition.name]).toEqual(['thumbnail-copy', 'Make a thumbnail (copy)']);
    const added = definition.steps.at(-1)!;
    expect(added).toMatchObject({ id: 'greyscale', task: 'greyscale', inputs: { image: `${definition.steps.at(-2)!.id}.image` } });
    expect(definition.outputs['image']).toBe('greyscale.image');
    // Reference completion: the references that fit where the caret is, taken by a click or by Ctrl+Space.
    const select = (marker: string, part: string) =>
      page.evaluate(
        ([m, p]) => {
          const area = document.querySelector('textarea[aria-label="pipeline JSON"]') as HTMLTextAreaElement;
          const start = area.value.lastIndexOf(m) + m.indexOf(p);
          area.focus();
          area.setSelectionRange(start, start + p.length);
        },
        [marker, part],
      );
    await select('"image": "resize.image"', 'resize.image');
    await page.keyboard.press('Backspace');
    await page.locator('[data-reference="inputs.image"]').waitFor();
    expect(await page.locator('[data-reference]').allTextContents()).toEqual(['inputs.image', 'resize.image']);
    await page.locator('[data-reference="inputs.image"]').click();
    await select('"thumbnail": "resize.image"', 'resize.image');
    await page.keyboard.type('gr');
    await page.locator('[data-reference="greyscale.image"]').waitFor();
    await page.keyboard.press('Control+Space');
    await page.locator('[data-reference]').first().waitFor({ state: 'detached' });
    const completed = JSON.parse(await text.inputValue()) as typeof definition;
    expect([completed.steps.at(-1)!.inputs, completed.outputs]).toEqual([{ image: 'inputs.image' }, { thumbnail: 'greyscale.image', image: 'greyscale.image' }]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “thumbnail-copy”.' }).waitFor();
    expect((await (await fetch(`${marketplace.url}/api/v1/pipelines/thumbnail-copy`)).json()).definition.steps.length).toBe(definition.steps.length);
  }, 60_000);

    it('keeps the jobs page current by itself, names what ran, and asks before deleting', async () => {
    await page.goto(`${marketplace.url}/jobs`);
    await page.locator('tr[data-job]').first().waitFor();
    // Submitted from elsewhere (this browser's owner cookie, another tab): the page is not reloaded.
    const id = await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 64;
      const image = await new Promise<Blob>((resolve) => canvas.toBlob((blob) => resolve(blob as Blob), 'image/png'));
      const form = new FormData();
      form.append('image', image, 'square.png');
      form.append('params', JSON.stringify({ sigma: 3 }));
      return ((await (await fetch('/api/v1/services/image-processing/tasks/blur/jobs', { method: 'POST', body: form })).json()) as { id: string }).id;
    });
    const row = page.locator(`tr[data-job="${id}"]`);
    await row.locator('[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-what]').textContent()).toBe('image-processing · blur');
    // Each row: a picture of what it made and its result in a few words.
    expect(await row.locator('[data-result]').textContent()).toBe('image');
    expect(await row.locator('img[data-thumbnail]').getAttribute('src')).toMatch(new RegExp(`/api/v1/jobs/${id}/outputs/image`));
    expect(await row.locator('[data-took]').textContent()).toMatch(/^\d+(\.\d)? (ms|s)$/);
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row.getByRole('button', { name: /^delete job/ }).click();
    expect(await row.count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /^delete job/ }).click();
    await row.waitFor({ state: 'detached' });
  }, 60_000);

  it('works on a phone-sized screen: no page scrolls sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // The same owner cookie: the jobs page shows this browser's jobs.
    await context.addCookies(await page.context().cookies());
    const phone = await context.newPage();
    try {
      await phone.goto(marketplace.url);
      await phone.locator('[data-pipeline="anonymise-faces"]').waitFor();
      if (SCREENSHOTS) await phone.screenshot({ path: join(SCREENSHOTS, 'catalogue-phone.jpg'), type: 'jpeg', quality: 80, fullPage: true });
      for (const [path, ready] of [['/', '[data-pipeline]'], ['/run/pipeline/anonymise-faces', 'input[type=file]'], ['/jobs', 'tr[data-job]'], ['/services/image-processing', '[data-task]']]) {
        await phone.goto(`${marketplace.url}${path}`);
        await phone.locator(ready).first().waitFor();
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect([path, overflow]).toEqual([path, 0]);
      }
      // On the jobs page each job is a card: its buttons in view, none past the right edge (nor scrolled off in its table).
      await phone.goto(`${marketplace.url}/jobs`);
      await phone.locator('tr[data-job]').first().waitFor();
      for (const button of await phone.locator('tr[data-job] .actions :is(button, a)').all()) {
        const box = (await button.boundingBox())!;
        expect([await button.textContent(), box.x >= 0 && box.x + box.width <= 390]).toEqual([await button.textContent(), true]);
      }
      if (SCREENSHOTS) await phone.screenshot({ path: join(SCREENSHOTS, 'jobs-phone.jpg'), type: 'jpeg', quality: 80, fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('loads the catalogue on a phone without layout shift (CLS under 0.1, CPU slowed 4x as in Lighthouse on mobile)', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    const phone = await context.newPage();
    try {
      const cdp = await context.newCDPSession(phone);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await phone.goto(marketplace.url);
      await phone.locator('[data-service="image-processing"]').waitFor();
      await phone.waitForTimeout(1000);
      // Every shift not caused by input, largest session window (as CLS is defined): here, their sum bounds it.
      const shifts = await phone.evaluate(
        () =>
          new Promise<number[]>((resolve) => {
            const values: number[] = [];
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!entry.hadRecentInput) values.push(entry.value);
            }).observe({ type: 'layout-shift', buffered: true });
            setTimeout(() => resolve(values), 200);
          }),
      );
      const cls = shifts.reduce((sum, value) => sum + value, 0);
      console.log(`catalogue, phone, CPU 4x: cumulative layout shift ${cls.toFixed(3)} from ${shifts.length} shift(s)`);
      expect(cls).toBeLessThan(0.1);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('has no critical or serious accessibility violation (axe-core) on any page, desktop and phone, light and dark', async () => {
    const latest = (query: string) => page.evaluate(async (q) => ((await (await fetch(`/api/v1/jobs?status=succeeded&limit=1${q}`)).json()) as { items: { id: string }[] }).items[0].id, query);
    const jobId = await latest('');
    const thumbnailJob = await latest('&pipelineId=thumbnail');
    const pages: [string, string][] = [
      ['/', '[data-pipeline]'],
      ['/services/face-analyzer', '[data-task]'],
      ['/pipelines/analyse-faces', 'aim-pipeline-graph g.node'],
      ['/run/pipeline/anonymise-faces', 'input[type=file]'],
      ['/run/task/image-processing/blur', 'input[type=file]'],
      [`/run/pipeline/thumbnail?job=${thumbnailJob}`, '.run-result [data-status="succeeded"]'],
      ['/jobs', 'tr[data-job]'],
      [`/jobs/${jobId}`, '[data-status="succeeded"]'],
      ['/editor', 'textarea'],
    ];
    const found: string[] = [];
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport, colorScheme });
        // The same owner cookie: the jobs pages show this browser's jobs.
        await context.addCookies(await page.context().cookies());
        const tab = await context.newPage();
        try {
          for (const [path, ready] of pages) {
            await tab.goto(`${marketplace.url}${path}`);
            await tab.locator(ready).first().waitFor();
            const { violations } = await new AxeBuilder({ page: tab }).analyze();
            for (const violation of violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')) {
              found.push(`${viewport.width}px ${colorScheme} ${path}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
            }
          }
        } finally {
          await context.close();
        }
      }
    }
    expect(found).toEqual([]);
  }, 180_000);

  it('breaks no rule of the Content-Security-Policy on any page it showed', () => {
    expect(policyViolations).toEqual([]);
  });
});
