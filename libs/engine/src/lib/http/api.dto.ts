import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import {
  ApiError,
  ArtifactView,
  InstanceView,
  JobPageView,
  JobStatus,
  JobStepView,
  JobView,
  PipelineDefinition,
  PipelineView,
  ServiceLoad,
  ServiceView,
  StatsView,
  TaskDescriptor,
  ValidationResult,
  WebhookState,
  WireError,
} from '@aim/contracts';

const FREE_OBJECT = { type: 'object', additionalProperties: true } as const;

export class ErrorDto implements ApiError {
  @ApiProperty({ example: 'PIPELINE_NOT_FOUND', description: 'stable code to branch on' }) code!: string;
  @ApiProperty({ example: 'there is no pipeline "x"; GET /api/v1/pipelines lists them' }) message!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } })
  problems?: { path: string; message: string }[];
}

export class InstanceDto implements InstanceView {
  @ApiProperty() id!: string;
  @ApiProperty() version!: string;
  @ApiProperty() available!: boolean;
  @ApiProperty() lastSeen!: string;
  @ApiProperty() queueDepth!: number;
  @ApiProperty() inFlight!: number;
  @ApiProperty() concurrency!: number;
  @ApiProperty() queueLimit!: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { mlBackend: 'wasm' } }) runtime?: Record<string, string>;
}

export class ServiceDto implements ServiceView {
  @ApiProperty({ example: 'image-processing' }) name!: string;
  @ApiProperty() version!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() usesAi!: boolean;
  @ApiProperty({ enum: ['available', 'unavailable'] }) status!: 'available' | 'unavailable';
  @ApiProperty({ type: [InstanceDto] }) instances!: InstanceDto[];
  @ApiProperty({ type: 'array', items: FREE_OBJECT, description: 'tasks with inputs, params (JSON Schema) and outputs' })
  tasks!: TaskDescriptor[];
}

export class PipelineSummaryDto {
  @ApiProperty({ example: 'thumbnail' }) id!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() builtIn!: boolean;
  @ApiProperty() runnable!: boolean;
  @ApiProperty({ type: [String] }) notRunnableReasons!: string[];
  @ApiProperty({ type: [String] }) services!: string[];
}

export class PipelineDto extends PipelineSummaryDto implements PipelineView {
  @ApiProperty({ ...FREE_OBJECT, description: 'the definition: inputs, params, steps, outputs' }) definition!: PipelineDefinition;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ValidationResultDto implements ValidationResult {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [ErrorDto] }) problems!: { path: string; message: string }[];
}

export class JobDto implements JobView {
  @ApiProperty() id!: string;
  @ApiProperty() pipelineId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }) status!: JobStatus;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() finishedAt?: string;
  @ApiProperty(FREE_OBJECT) params!: Record<string, unknown>;
  @ApiProperty({ ...FREE_OBJECT, description: 'input name → { contentType, size }' }) inputs!: Record<string, ArtifactView>;
  @ApiProperty({ ...FREE_OBJECT, description: 'output name → { contentType, size, value?, url } (a list for for-each outputs)' })
  outputs!: Record<string, ArtifactView | ArtifactView[]>;
  @ApiProperty({ type: 'array', items: FREE_OBJECT, description: 'each step: status, attempts, timings, error, items' }) steps!: JobStepView[];
  @ApiPropertyOptional({ type: ErrorDto }) error?: WireError;
  @ApiPropertyOptional(FREE_OBJECT) webhook?: WebhookState;
  @ApiProperty({ description: 'sequence number of the last event' }) seq!: number;
}

export class JobPageDto implements JobPageView {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class JobListQuery {
  @ApiPropertyOptional({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] })
  @IsOptional()
  @IsIn(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
  status?: JobStatus;

  @ApiPropertyOptional() @IsOptional() @IsString() pipelineId?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: 1_000_000_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000_000) offset = 0;
}

/** The fields of a job a reader may ask for alone (`?fields=status,seq`): a poll needs no more. */
export const JOB_FIELDS = ['id', 'pipelineId', 'status', 'createdAt', 'updatedAt', 'startedAt', 'finishedAt', 'params', 'inputs', 'outputs', 'steps', 'error', 'webhook', 'seq'] as const;

export class OutputQuery {
  @ApiPropertyOptional({ description: 'item of a for-each output', minimum: 0, maximum: 1_000_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) index?: number;
}

export class SubmitJobJsonDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { base64: { type: 'string' }, value: {} } },
    description: 'input name → { base64 } for files, { value } for JSON',
    example: { image: { base64: '/9j/4AAQ...' } },
  })
  inputs!: Record<string, { base64?: string; value?: unknown }>;

  @ApiPropertyOptional({ ...FREE_OBJECT, example: { width: 320 } }) params?: Record<string, unknown>;
  @ApiPropertyOptional({ example: 'https://example.org/hooks/marketplace' }) webhookUrl?: string;
}

export class StatsDto implements StatsView {
  @ApiProperty(FREE_OBJECT) jobs!: Record<JobStatus, number>;
  @ApiProperty() activeJobs!: number;
  @ApiProperty({ type: 'array', items: FREE_OBJECT }) services!: ServiceLoad[];
  @ApiProperty() uptimeSeconds!: number;
}
