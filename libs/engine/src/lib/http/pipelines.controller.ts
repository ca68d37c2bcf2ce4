import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { JobView, PipelineSummary, PipelineView, ValidationResult } from '@aim/contracts';
import { StoredPipeline } from '@aim/store';
import { PipelinesService } from '../pipelines/pipelines.service';
import { AdminOnly, Caller, CurrentCaller } from './caller.guard';
import { JobSubmitResponder } from './job-submit.responder';
import { SubmitRateLimitGuard } from './submit-rate-limit.guard';

@Controller('api/v1/pipelines')
export class PipelinesController {
  constructor(
    private readonly pipelines: PipelinesService,
    private readonly submitter: JobSubmitResponder,
  ) {}

  @Get()
  list(): Promise<PipelineSummary[]> {
    return this.pipelines.list();
  }

  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: unknown): ValidationResult {
    const problems = this.pipelines.validate(body);
    return { valid: problems.length === 0, problems };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<PipelineView> {
    return this.view(await this.pipelines.get(id));
  }

  @Post()
  @AdminOnly()
  async create(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<PipelineView> {
    const created = this.view(await this.pipelines.create(body));
    response.setHeader('Location', `/api/v1/pipelines/${encodeURIComponent(created.id)}`);
    return created;
  }

  @Put(':id')
  @AdminOnly()
  async replace(@Param('id') id: string, @Body() body: unknown): Promise<PipelineView> {
    return this.view(await this.pipelines.replace(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  async delete(@Param('id') id: string): Promise<void> {
    await this.pipelines.delete(id);
  }

  @Post(':id/jobs')
  @HttpCode(202)
  @UseGuards(SubmitRateLimitGuard)
  @UseInterceptors(AnyFilesInterceptor())
  async submit(
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @UploadedFiles() files: Express.Multer.File[],
    @CurrentCaller() caller: Caller,
  ): Promise<JobView> {
    return this.submitter.submit(id, request, response, files, caller);
  }

  private view(stored: StoredPipeline): PipelineView {
    return { ...this.pipelines.summarise(stored), definition: stored.definition, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
  }
}
