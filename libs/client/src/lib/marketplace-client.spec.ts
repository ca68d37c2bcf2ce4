import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { MarketplaceApiError, MarketplaceClient } from './marketplace-client';

/** A small real HTTP server playing the API's wire formats, to check what the client does with them. */
describe('MarketplaceClient on the wire', () => {
  let server: Server;
  let client: MarketplaceClient;
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers'] }[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      if (request.url?.startsWith('/api/v1/jobs/j1/events')) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = [1, 2, 3].map((seq) => `id: ${seq}\nevent: e\ndata: ${JSON.stringify({ jobId: 'j1', seq, type: seq === 3 ? 'job.succeeded' : 'step.started' })}\n\n`).join('');
        // Cut the stream mid-event, as a network does.
        response.write(events.slice(0, 37));
        setTimeout(() => response.end(events.slice(37)), 20);
        return;
      }
      if (request.url?.startsWith('/api/v1/pipelines/nope')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 'PIPELINE_NOT_FOUND', message: 'there is no pipeline "nope"', problems: [{ path: 'id', message: 'unknown' }] }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ items: [], total: 0, limit: 5, offset: 10 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new MarketplaceClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, apiKey: 'k-123' });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads Server-Sent Events cut anywhere, in order, each once', async () => {
    const seqs: number[] = [];
    const last = await client.followJob('j1', (event) => seqs.push(event.seq));
    expect(seqs).toEqual([1, 2, 3]);
    expect(last?.type).toBe('job.succeeded');
  });

  it('encodes filters in the query, leaves out empty ones, and sends the API key', async () => {
    await client.jobs({ status: 'failed', pipelineId: 'a b', limit: 5, offset: 10 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/v1/jobs?status=failed&pipelineId=a%20b&limit=5&offset=10' });
    expect(seen.at(-1)!.headers['x-api-key']).toBe('k-123');
    await client.jobs({ pipelineId: '' });
    expect(seen.at(-1)!.url).toBe('/api/v1/jobs');
  });

  it('turns an error answer into MarketplaceApiError with status, code and problems', async () => {
    const error = await client.pipeline('nope').catch((e) => e);
    expect(error).toBeInstanceOf(MarketplaceApiError);
    expect(error).toMatchObject({ status: 404, code: 'PIPELINE_NOT_FOUND', message: 'there is no pipeline "nope"', problems: [{ path: 'id', message: 'unknown' }] });
  });

  it('builds output and input URLs for the page to show', () => {
    expect(new MarketplaceClient().outputUrl('j/1', 'faces', 2)).toBe('/api/v1/jobs/j%2F1/outputs/faces?index=2');
    expect(new MarketplaceClient().inputUrl('j1', 'image')).toBe('/api/v1/jobs/j1/inputs/image');
  });
});
