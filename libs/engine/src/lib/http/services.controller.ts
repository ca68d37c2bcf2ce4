import { Controller, Get, HttpCode, Param, Post, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { ErrorCode, JobView, MarketplaceError, ServiceView } from '@aim/contracts';
import { PipelinesService } from '../pipelines/pipelines.service';
import { ServiceRegistry, ServiceStatus } from '../registry/service-registry';
import { Caller, CurrentCaller } from './caller.guard';
import { JobSubmitResponder } from './job-submit.responder';
import { SubmitRateLimitGuard } from './submit-rate-limit.guard';

export function serviceView(status: ServiceStatus): ServiceView {
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

@Controller('api/v1/services')
export class ServicesController {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly pipelines: PipelinesService,
    private readonly submitter: JobSubmitResponder,
  ) {}

  @Get()
  list(): ServiceView[] {
    return this.registry.list().map(serviceView);
  }

  @Get(':name')
  get(@Param('name') name: string): ServiceView {
    const status = this.registry.status(name);
    if (!status) throw new MarketplaceError(ErrorCode.ServiceNotFound, `there is no service "${name}"; GET /api/v1/services lists them`);
    return serviceView(status);
  }

  @Post(':name/tasks/:task/jobs')
  @HttpCode(202)
  @UseGuards(SubmitRateLimitGuard)
  @UseInterceptors(AnyFilesInterceptor())
  async runTask(
    @Param('name') name: string,
    @Param('task') task: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @UploadedFiles() files: Express.Multer.File[],
    @CurrentCaller() caller: Caller,
  ): Promise<JobView> {
    const definition = this.pipelines.taskDefinition(name, task);
    return this.submitter.submit(definition.id, request, response, files, caller);
  }
}
