import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PIPELINE_DEFINITION_SCHEMA } from '@aim/contracts';
import { StoredPipeline } from '@aim/store';
import { PipelinesService } from '../pipelines/pipelines.service';
import { AdminOnly, Caller, CurrentCaller } from './caller.guard';
import { ErrorDto, JobDto, PipelineDto, PipelineSummaryDto, SubmitJobJsonDto, ValidationResultDto } from './api.dto';
import { JobSubmitResponder } from './job-submit.responder';
import { SubmitRateLimitGuard } from './submit-rate-limit.guard';

const DEFINITION_BODY = { schema: PIPELINE_DEFINITION_SCHEMA as object, description: 'a pipeline definition' };

@ApiTags('pipelines')
@Controller('api/v1/pipelines')
export class PipelinesController {
  constructor(
    private readonly pipelines: PipelinesService,
    private readonly submitter: JobSubmitResponder,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every pipeline, with whether it can run now and why not' })
  @ApiOkResponse({ type: [PipelineSummaryDto] })
  list(): Promise<PipelineSummaryDto[]> {
    return this.pipelines.list();
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a definition without saving it; answers every problem with its path' })
  @ApiBody(DEFINITION_BODY)
  @ApiOkResponse({ type: ValidationResultDto })
  validate(@Body() body: unknown): ValidationResultDto {
    const problems = this.pipelines.validate(body);
    return { valid: problems.length === 0, problems };
  }

  @Get(':id')
  @ApiOkResponse({ type: PipelineDto })
  async get(@Param('id') id: string): Promise<PipelineDto> {
    return this.view(await this.pipelines.get(id));
  }

  @Post()
  @AdminOnly()
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Create a pipeline (admin)' })
  @ApiBody(DEFINITION_BODY)
  @ApiCreatedResponse({ type: PipelineDto })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'PIPELINE_INVALID with every problem' })
  async create(@Body() body: unknown): Promise<PipelineDto> {
    return this.view(await this.pipelines.create(body));
  }

  @Put(':id')
  @AdminOnly()
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Replace a pipeline (admin); built-in ones are read-only' })
  @ApiBody(DEFINITION_BODY)
  @ApiOkResponse({ type: PipelineDto })
  async replace(@Param('id') id: string, @Body() body: unknown): Promise<PipelineDto> {
    return this.view(await this.pipelines.replace(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Delete a pipeline (admin); jobs already submitted keep running' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.pipelines.delete(id);
  }

  @Post(':id/jobs')
  @HttpCode(202)
  @UseGuards(SubmitRateLimitGuard)
  @UseInterceptors(AnyFilesInterceptor())
  @ApiOperation({ summary: 'Submit a job: multipart (a file per input, `params` as JSON text) or JSON' })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ type: SubmitJobJsonDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retried submit with the same key answers the same job' })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N: answer once the job has ended (200), or after N seconds (202); at most MAX_WAIT_SECONDS', example: 'wait=30' })
  @ApiAcceptedResponse({ type: JobDto, description: 'accepted; 200 when the job ended within the wait asked for, or the idempotency key matched an earlier job' })
  async submit(
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @UploadedFiles() files: Express.Multer.File[],
    @CurrentCaller() caller: Caller,
  ): Promise<JobDto> {
    return this.submitter.submit(id, request, response, files, caller);
  }

  private view(stored: StoredPipeline): PipelineDto {
    return { ...this.pipelines.summarise(stored), definition: stored.definition, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
  }
}
