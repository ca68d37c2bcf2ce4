import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { JobStatus } from '@aim/contracts';

const FREE_OBJECT = { type: 'object', additionalProperties: true } as const;

export class ErrorDto {
  @ApiProperty({ example: 'PIPELINE_NOT_FOUND', description: 'stable code to branch on' }) code!: string;
  @ApiProperty({ example: 'there is no pipeline "x"; GET /api/v1/pipelines lists them' }) message!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } })
  problems?: { path: string; message: string }[];
}

export class InstanceDto {
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

export class ServiceDto {
  @ApiProperty({ example: 'image-processing' }) name!: string;
  @ApiProperty() version!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() usesAi!: boolean;
  @ApiProperty({ enum: ['available', 'unavailable'] }) status!: 'available' | 'unavailable';
  @ApiProperty({ type: [InstanceDto] }) instances!: InstanceDto[];
  @ApiProperty({ type: 'array', items: FREE_OBJECT, description: 'tasks with inputs, params (JSON Schema) and outputs' })
  tasks!: unknown[];
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

export class PipelineDto extends PipelineSummaryDto {
  @ApiProperty({ ...FREE_OBJECT, description: 'the definition: inputs, params, steps, outputs' }) definition!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ValidationResultDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [ErrorDto] }) problems!: { path: string; message: string }[];
}

export class JobDto {
  @ApiProperty() id!: string;
  @ApiProperty() pipelineId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }) status!: JobStatus;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() finishedAt?: string;
  @ApiProperty(FREE_OBJECT) params!: unknown;
  @ApiProperty({ ...FREE_OBJECT, description: 'input name → { contentType, size }' }) inputs!: unknown;
  @ApiProperty({ ...FREE_OBJECT, description: 'output name → { contentType, size, value?, url }' }) outputs!: unknown;
  @ApiProperty({ type: 'array', items: FREE_OBJECT, description: 'each step: status, attempts, timings, error, items' }) steps!: unknown[];
  @ApiPropertyOptional({ type: ErrorDto }) error?: ErrorDto;
  @ApiPropertyOptional(FREE_OBJECT) webhook?: unknown;
  @ApiProperty({ description: 'sequence number of the last event' }) seq!: number;
}

export class JobPageDto {
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

  @ApiPropertyOptional({ default: 0, minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset = 0;
}

export class OutputQuery {
  @ApiPropertyOptional({ description: 'item of a for-each output' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) index?: number;
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

export class StatsDto {
  @ApiProperty(FREE_OBJECT) jobs!: Record<string, number>;
  @ApiProperty() activeJobs!: number;
  @ApiProperty({ type: 'array', items: FREE_OBJECT }) services!: unknown[];
  @ApiProperty() uptimeSeconds!: number;
}
