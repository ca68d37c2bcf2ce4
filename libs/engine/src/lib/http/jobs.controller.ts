import { Controller, Delete, Inject, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, Sse, MessageEvent } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { ErrorCode, Job, JobPageView, JobView, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { JobsService } from '../jobs/jobs.service';
import { Caller, CurrentCaller } from './caller.guard';
import { JobListQuery, OutputQuery } from './query.dto';
import { jobFields, jobFieldsView, jobView } from './job.view';
import { whileCallerWaits } from './prefer-wait';

const JOB_ID = new ParseUUIDPipe({
  exceptionFactory: () => new MarketplaceError(ErrorCode.JobNotFound, 'job ids are UUIDs; GET /api/v1/jobs lists the jobs'),
});

@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {}

  @Get()
  async list(@Query() query: JobListQuery, @CurrentCaller() caller: Caller): Promise<JobPageView> {
    const page = await this.jobs.list({ status: query.status, pipelineId: query.pipelineId, limit: query.limit, offset: query.offset }, caller);
    return { ...page, items: page.items.map(jobView) };
  }

  @Get(':id')
  async get(@Param('id', JOB_ID) id: string, @CurrentCaller() caller: Caller, @Req() request: Request, @Res() response: Response): Promise<void> {
    // Read here rather than through a validated DTO: this is the route every poll takes.
    const fields = jobFields(request.query['fields']);
    // The answer is made as the job is read (no copy of a running job), and sent as it is.
    const answer = (job: Job) => ({
      // Every stored change numbers an event (seq); webhook deliveries are the one change that does not.
      tag: `W/"${job.seq}.${job.webhook?.attempts ?? 0}${fields ? `.${fields.join(',')}` : ''}"`,
      body: JSON.stringify(fields ? jobFieldsView(job, fields) : jobView(job)),
    });
    const now = await this.jobs.read(id, caller, answer);
    const shown = await whileCallerWaits(request, response, this.options.maxWaitSeconds, now, (ms, signal) => this.jobs.waitForEnd(id, caller, ms, signal, answer));
    response.setHeader('ETag', shown.tag);
    response.setHeader('Cache-Control', 'no-cache');
    if (request.header('if-none-match') === shown.tag) {
      response.status(304).end();
      return;
    }
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(shown.body));
    response.end(shown.body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id', JOB_ID) id: string, @CurrentCaller() caller: Caller): Promise<JobView> {
    return jobView(await this.jobs.cancel(id, caller));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', JOB_ID) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.jobs.delete(id, caller);
  }

  @Sse(':id/events')
  async events(
    @Param('id', JOB_ID) id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentCaller() caller: Caller,
  ): Promise<Observable<MessageEvent>> {
    await this.jobs.get(id, caller); // a 404 must be answered before the event stream opens
    // Nest sends the stream's headers a tick later: a stream with nothing left to send (resumed after the
    // last event of an ended job) would end without them, and an EventSource refuses an answer without its type.
    response.setHeader('Content-Type', 'text/event-stream');
    response.setHeader('Cache-Control', 'no-cache');
    const after = Number(request.header('last-event-id') ?? 0);
    return this.jobs.events(id, Number.isInteger(after) && after > 0 ? after : 0).pipe(
      map((event) => ({ id: String(event.seq), type: event.type, data: event })),
    );
  }

  @Get(':id/inputs/:name')
  async input(@Param('id', JOB_ID) id: string, @Param('name') name: string, @CurrentCaller() caller: Caller, @Res() response: Response): Promise<void> {
    const { ref, data } = await this.jobs.input(id, name, caller);
    sendStoredFile(response, ref.contentType, name, data);
  }

  @Get(':id/outputs/:name')
  async output(
    @Param('id', JOB_ID) id: string,
    @Param('name') name: string,
    @Query() query: OutputQuery,
    @CurrentCaller() caller: Caller,
    @Res() response: Response,
  ): Promise<void> {
    const { ref, data } = await this.jobs.output(id, name, caller, query.index);
    const extension = ref.contentType.split('/')[1]?.replace('jpeg', 'jpg').replace(/[^a-z0-9]/g, '') || 'bin';
    sendStoredFile(response, ref.contentType, `${name}${query.index === undefined ? '' : `-${query.index}`}.${extension}`, data);
  }
}

/** Raster images and JSON are shown in the page; anything else (an SVG can carry script) is only downloaded. */
const SHOWN_INLINE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/json']);

/**
 * A stored file leaves as what it is, never as a page: nosniff (helmet), a sandbox policy that runs
 * nothing, and `attachment` for every type that a browser could treat as active content.
 */
function sendStoredFile(response: Response, contentType: string, filename: string, data: Buffer): void {
  const disposition = SHOWN_INLINE.has(contentType) ? 'inline' : 'attachment';
  response
    .status(200)
    .type(contentType)
    .setHeader('Content-Disposition', `${disposition}; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
    .setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  response.send(data);
}
