import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MarketplaceApiError, MarketplaceClient } from '@aim/client';
import type { ArtifactView, JobView } from '@aim/contracts';
import { StepProgress } from './progress';

export interface RunOptions {
  output: string;
  params: Record<string, unknown>;
  input?: string;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (cell ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export async function listServices(client: MarketplaceClient): Promise<string> {
  const services = await client.services();
  return table([
    ['SERVICE', 'STATUS', 'INSTANCES', 'TASKS'],
    ...services.map((s) => [s.name, s.status, String(s.instances.filter((i) => i.available).length), s.tasks.map((t) => t.name).join(', ')]),
  ]);
}

export async function listPipelines(client: MarketplaceClient): Promise<string> {
  const pipelines = await client.pipelines();
  return table([
    ['PIPELINE', 'RUNNABLE', 'NAME', 'WHY NOT'],
    ...pipelines.map((p) => [p.id, p.runnable ? 'yes' : 'no', p.name, p.notRunnableReasons.join('; ')]),
  ]);
}

export async function listJobs(client: MarketplaceClient, filter: { status?: string; pipelineId?: string; limit?: number }): Promise<string> {
  const page = await client.jobs(filter as never);
  return table([
    ['JOB', 'PIPELINE', 'STATUS', 'CREATED', 'ERROR'],
    ...page.items.map((job) => [job.id, job.pipelineId, job.status, job.createdAt, job.error?.message ?? '']),
  ]) + `\n${page.items.length} of ${page.total}`;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/json': 'json' };

/**
 * Submits the file to a pipeline (or `service/task`), shows the steps' progress live, and writes every
 * output into the output folder. Answers the finished job.
 */
export async function run(client: MarketplaceClient, target: string, file: string, options: RunOptions, out: NodeJS.WriteStream): Promise<{ job: JobView; written: string[] }> {
  const data = await readFile(file);
  const [service, task] = target.includes('/') ? target.split('/') : [];
  const inputName = options.input ?? (await defaultInput(client, target, service, task));
  const submission = { files: { [inputName]: new Blob([data]) }, params: options.params };
  const submitted = service ? await client.runTask(service, task, submission) : await client.submitJob(target, submission);
  out.write(`job ${submitted.id} (${basename(file)} → ${target})\n`);
  const progress = new StepProgress(submitted, out);
  await client.followJob(submitted.id, (event) => progress.update(event));
  const job = await client.job(submitted.id);
  progress.finish(job);
  if (job.status !== 'succeeded') return { job, written: [] };
  await mkdir(options.output, { recursive: true });
  const written: string[] = [];
  for (const [name, output] of Object.entries(job.outputs)) {
    const items: (ArtifactView & { index?: number })[] = Array.isArray(output) ? output.map((o, index) => ({ ...o, index })) : [output];
    for (const item of items) {
      const path = join(options.output, `${job.id}-${name}${item.index === undefined ? '' : `-${item.index}`}.${EXTENSIONS[item.contentType] ?? 'bin'}`);
      const content = item.value !== undefined || item.contentType === 'application/json' ? JSON.stringify(item.value, null, 2) : (await client.downloadOutput(job.id, name, item.index)).data;
      await writeFile(path, content);
      written.push(path);
    }
  }
  return { job, written };
}

/** A digit reading as the digit service gives it. */
interface DigitReading {
  found: boolean;
  digit: number | null;
  confidence: number;
  certain?: boolean;
}

function isDigitReading(value: unknown): value is DigitReading {
  return !!value && typeof value === 'object' && 'found' in value && 'confidence' in value && 'probabilities' in value;
}

/** A line for each digit read by the job: the digit and how sure, and a warning when it is a guess. */
export function digitReadings(job: JobView): string[] {
  return Object.entries(job.outputs).flatMap(([name, output]) =>
    (Array.isArray(output) ? output : [output])
      .map((item) => item.value)
      .filter(isDigitReading)
      .map((reading) => {
        if (!reading.found) return `${name}: no digit found (the image looks blank)`;
        const sure = `${reading.digit} (${Math.round(reading.confidence * 100)}%)`;
        return reading.certain === false ? `${name}: ${sure}, unsure: treat it as a guess` : `${name}: ${sure}`;
      }),
  );
}

async function defaultInput(client: MarketplaceClient, target: string, service?: string, task?: string): Promise<string> {
  if (service) {
    const found = (await client.service(service)).tasks.find((t) => t.name === task);
    if (!found) throw new MarketplaceApiError(404, 'TASK_NOT_FOUND', `service "${service}" has no task "${task}"`);
    return found.inputs[0].name;
  }
  return Object.keys((await client.pipeline(target)).definition.inputs)[0];
}
