/** What a run was asked with, to write it out as a command a person can paste. */
export interface RunRequest {
  /** The page's origin, e.g. `http://localhost:3000`. */
  origin: string;
  /** `pipeline` id, or `service/task`. */
  target: { pipeline: string } | { service: string; task: string };
  /** Input name → file name (as chosen). */
  files: Record<string, string>;
  /** Input name → JSON value. */
  values: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** A single-quoted shell word: safe whatever the text holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function submitPath(request: RunRequest): string {
  const target = request.target;
  return 'pipeline' in target
    ? `/api/v1/pipelines/${encodeURIComponent(target.pipeline)}/jobs`
    : `/api/v1/services/${encodeURIComponent(target.service)}/tasks/${encodeURIComponent(target.task)}/jobs`;
}

/** curl, multipart as the form sends it; `Prefer: wait` answers the ended job in the same call. */
export function curlCommand(request: RunRequest): string {
  const parts = ['curl -sS', `-H ${shellQuote('Prefer: wait=60')}`];
  for (const [name, file] of Object.entries(request.files)) parts.push(`-F ${shellQuote(`${name}=@${file}`)}`);
  for (const [name, value] of Object.entries(request.values)) parts.push(`-F ${shellQuote(`${name}=${JSON.stringify(value)}`)}`);
  if (Object.keys(request.params).length) parts.push(`-F ${shellQuote(`params=${JSON.stringify(request.params)}`)}`);
  parts.push(shellQuote(`${request.origin}${submitPath(request)}`));
  return parts.join(' \\\n  ');
}

/** The project's CLI: it follows the job and writes the outputs into the current folder. */
export function cliCommand(request: RunRequest): string {
  const target = 'pipeline' in request.target ? request.target.pipeline : `${request.target.service}/${request.target.task}`;
  const [input, file] = Object.entries(request.files)[0] ?? ['', ''];
  const parts = ['npx marketplace run', shellQuote(target), shellQuote(file || '<file>'), `--url ${shellQuote(request.origin)}`];
  if (input && Object.keys(request.files).length === 1) parts.push(`--input ${shellQuote(input)}`);
  for (const [name, value] of Object.entries(request.params)) parts.push(`--param ${shellQuote(`${name}=${JSON.stringify(value)}`)}`);
  return parts.join(' ');
}

/** The typed client (`@aim/client`), in Node 20+. */
export function typescriptSnippet(request: RunRequest): string {
  const files = Object.entries(request.files)
    .map(([name, file]) => `${JSON.stringify(name)}: new Blob([readFileSync(${JSON.stringify(file)})])`)
    .join(', ');
  const submission = [`files: { ${files} }`];
  if (Object.keys(request.values).length) submission.push(`values: ${JSON.stringify(request.values)}`);
  if (Object.keys(request.params).length) submission.push(`params: ${JSON.stringify(request.params)}`);
  const call =
    'pipeline' in request.target
      ? `client.submitJob(${JSON.stringify(request.target.pipeline)}, { ${submission.join(', ')} })`
      : `client.runTask(${JSON.stringify(request.target.service)}, ${JSON.stringify(request.target.task)}, { ${submission.join(', ')} })`;
  return [
    `import { readFileSync } from 'node:fs';`,
    `import { MarketplaceClient } from '@aim/client';`,
    ``,
    `const client = new MarketplaceClient({ baseUrl: ${JSON.stringify(request.origin)} });`,
    `const job = await ${call};`,
    `const last = await client.followJob(job.id, (event) => console.log(event.type));`,
    `console.log(last?.type, await client.job(job.id));`,
  ].join('\n');
}
