import { Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiConsumes, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { PipelinesService } from '../pipelines/pipelines.service';
import { ServiceRegistry, ServiceStatus } from '../registry/service-registry';
import { ErrorDto, JobDto, ServiceDto } from './api.dto';
import { Caller, CurrentCaller } from './caller.guard';
import { JobSubmitResponder } from './job-submit.responder';
import { SubmitRateLimitGuard } from './submit-rate-limit.guard';

export function serviceView(status: ServiceStatus): ServiceDto {
  const { descriptor } = status;
  return {
    name: descriptor.name,
    version: descriptor.version,
    summary: descriptor.summary,
    tags: descriptor.tags,
    usesAi: descriptor.usesAi,
    status: status.available ? 'available' : 'unavailable',
    instances: status.instances,
    tasks: descriptor.tasks,
  };
}

@ApiTags('services')
@Controller('api/v1/services')
export class ServicesController {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly pipelines: PipelinesService,
    private readonly submitter: JobSubmitResponder,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every registered service with its tasks and live status' })
  @ApiOkResponse({ type: [ServiceDto] })
  list(): ServiceDto[] {
    return this.registry.list().map(serviceView);
  }

  @Get(':name')
  @ApiOperation({ summary: 'One service: tasks (inputs, parameter schema, outputs), instances, status' })
  @ApiOkResponse({ type: ServiceDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('name') name: string): ServiceDto {
    const status = this.registry.status(name);
    if (!status) throw new MarketplaceError(ErrorCode.ServiceNotFound, `there is no service "${name}"; GET /api/v1/services lists them`);
    return serviceView(status);
  }

  @Post(':name/tasks/:task/jobs')
  @HttpCode(202)
  @UseGuards(SubmitRateLimitGuard)
  @UseInterceptors(AnyFilesInterceptor())
  @ApiOperation({ summary: 'Run one task alone: multipart (a file per input, `params` as JSON text) or JSON' })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N: answer once the job has ended (200), or after N seconds (202); at most MAX_WAIT_SECONDS', example: 'wait=30' })
  @ApiAcceptedResponse({ type: JobDto, description: 'accepted; 200 when the job ended within the wait asked for, or the idempotency key matched an earlier job' })
  async runTask(
    @Param('name') name: string,
    @Param('task') task: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @UploadedFiles() files: Express.Multer.File[],
    @CurrentCaller() caller: Caller,
  ): Promise<JobDto> {
    const definition = this.pipelines.taskDefinition(name, task);
    return this.submitter.submit(definition.id, request, response, files, caller);
  }
}
