import { parseArgs } from 'node:util';
import { MarketplaceApiError, MarketplaceClient } from '@aim/client';
import { digitReadings, listJobs, listPipelines, listServices, run } from './commands';
import { OwnerStore } from './owner-store';

const USAGE = `usage: marketplace <command> [options]

  run <pipeline | service/task> <file> [-o folder] [--param name=value ...] [--input name]
                   submit the file, show the steps live, write the outputs (default folder: .)
  services         the services and their status
  pipelines        the pipelines and whether they can run
  jobs [--status s] [--pipeline id] [--limit n]

  --url <url>      the marketplace (default $MARKETPLACE_URL or http://localhost:3000)
  --api-key <key>  an API key (default $MARKETPLACE_API_KEY); without one, the jobs this CLI submits
                   belong to it through a cookie kept in ~/.config/ai-marketplace/owners.json

exit codes: 0 done, 1 the job or the request failed, 2 wrong usage or server unreachable`;

function parseParam(text: string, params: Record<string, unknown>): void {
  const at = text.indexOf('=');
  if (at < 1) throw new Error(`--param takes name=value, not "${text}"`);
  const raw = text.slice(at + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string
  }
  params[text.slice(0, at)] = value;
}

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  output: { type: 'string', short: 'o', default: '.' },
  param: { type: 'string', short: 'p', multiple: true },
  input: { type: 'string' },
  status: { type: 'string' },
  pipeline: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const baseUrl = values.url || process.env['MARKETPLACE_URL'] || 'http://localhost:3000';
  let owner;
  try {
    owner = new OwnerStore().jarFor(baseUrl);
  } catch {
    process.stderr.write(`--url must be an http(s) address, not "${baseUrl}"\n`);
    return 2;
  }
  const client = new MarketplaceClient({ baseUrl, apiKey: values['api-key'] ?? process.env['MARKETPLACE_API_KEY'], owner });
  try {
    return await runCommand(client, command, rest, values);
  } finally {
    owner.save();
  }
}

async function runCommand(client: MarketplaceClient, command: string, rest: string[], values: ParsedValues): Promise<number> {
  try {
    switch (command) {
      case 'services':
        process.stdout.write(`${await listServices(client)}\n`);
        return 0;
      case 'pipelines':
        process.stdout.write(`${await listPipelines(client)}\n`);
        return 0;
      case 'jobs':
        process.stdout.write(`${await listJobs(client, { status: values.status, pipelineId: values.pipeline, limit: values.limit ? Number(values.limit) : undefined })}\n`);
        return 0;
      case 'run': {
        if (rest.length !== 2) {
          process.stderr.write(`run needs a pipeline (or service/task) and a file\n\n${USAGE}\n`);
          return 2;
        }
        const params: Record<string, unknown> = {};
        for (const text of values.param ?? []) parseParam(text, params);
        const { job, written } = await run(client, rest[0], rest[1], { output: values.output!, params, input: values.input }, process.stdout);
        if (job.status !== 'succeeded') {
          process.stderr.write(`job ${job.id} ${job.status}: ${job.error?.message ?? 'no reason given'}\n`);
          return 1;
        }
        digitReadings(job).forEach((line) => process.stdout.write(`${line}\n`));
        written.forEach((path) => process.stdout.write(`wrote ${path}\n`));
        return 0;
      }
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof MarketplaceApiError) {
      process.stderr.write(`error: ${error.message}${error.problems.map((p) => `\n  ${p.path}: ${p.message}`).join('')}\n`);
      return error.code === 'UNREACHABLE' ? 2 : 1;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
