import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { ParamsValidator, RegistryInbox } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from './engine.options';
import { CallerGuard } from './http/caller.guard';
import { HttpErrorFilter } from '@aim/http-errors';
import { JobSubmitResponder } from './http/job-submit.responder';
import { JobsController } from './http/jobs.controller';
import { PipelinesController } from './http/pipelines.controller';
import { ServicesController } from './http/services.controller';
import { SubmitRateLimitGuard } from './http/submit-rate-limit.guard';
import { SystemController } from './http/system.controller';
import { JobRecorder } from './jobs/job-recorder';
import { JobRunner } from './jobs/job-runner';
import { JobSubmissionService } from './jobs/job-submission.service';
import { JobsService } from './jobs/jobs.service';
import { RetentionSweeper } from './jobs/retention.sweeper';
import { ServiceSlots } from './jobs/service-slots';
import { WebhookSender } from './jobs/webhook.sender';
import { EngineMetrics } from './observability/engine.metrics';
import { PipelineExpressions } from './pipelines/pipeline-expressions';
import { PipelineValidator } from './pipelines/pipeline-validator';
import { PipelinesService } from './pipelines/pipelines.service';
import { ServiceRegistry } from './registry/service-registry';

/**
 * The engine: registry, pipelines, jobs and the HTTP API. Needs a JobStore (StoreModule), a BlobStore (BlobStoreModule),
 * a TaskInvoker (a services binding) and ScheduleModule.forRoot() from the app; provides RegistryInbox.
 */
@Module({})
export class EngineModule {
  static register(options: EngineOptions): DynamicModule {
    return {
      module: EngineModule,
      global: true,
      imports: [
        MulterModule.register({
          storage: memoryStorage(),
          limits: { fileSize: options.maxUploadBytes, files: 16, fields: 32, fieldSize: 1024 * 1024 },
        }),
      ],
      controllers: [ServicesController, PipelinesController, JobsController, SystemController],
      providers: [
        { provide: ENGINE_OPTIONS, useValue: options },
        { provide: APP_FILTER, useValue: new HttpErrorFilter(options.maxUploadBytes) },
        { provide: APP_GUARD, useClass: CallerGuard },
        { provide: APP_PIPE, useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }) },
        { provide: ParamsValidator, useValue: new ParamsValidator() },
        { provide: PipelineExpressions, useValue: new PipelineExpressions(options.expressionLimits) },
        {
          provide: PipelineValidator,
          inject: [ParamsValidator, PipelineExpressions],
          useFactory: (params: ParamsValidator, expressions: PipelineExpressions) => new PipelineValidator(params, expressions),
        },
        SubmitRateLimitGuard,
        JobSubmitResponder,
        ServiceRegistry,
        { provide: RegistryInbox, useExisting: ServiceRegistry },
        EngineMetrics,
        PipelinesService,
        JobRecorder,
        ServiceSlots,
        WebhookSender,
        JobRunner,
        JobSubmissionService,
        JobsService,
        RetentionSweeper,
      ],
      exports: [RegistryInbox, ServiceRegistry, JobRunner, JobsService, JobSubmissionService, JobRecorder, PipelinesService, EngineMetrics, RetentionSweeper, ENGINE_OPTIONS],
    };
  }
}
