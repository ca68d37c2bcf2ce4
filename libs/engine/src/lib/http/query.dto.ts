import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { JobStatus } from '@aim/contracts';
import { JOB_LIST_LIMIT, JOB_LIST_OFFSET, OUTPUT_INDEX } from './openapi/api-schemas';

/** The query of `GET /api/v1/jobs`, with the bounds the OpenAPI document states. */
export class JobListQuery {
  @IsOptional()
  @IsIn(Object.values(JobStatus))
  status?: JobStatus;

  @IsOptional() @IsString() @MaxLength(200) pipelineId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(JOB_LIST_LIMIT.minimum)
  @Max(JOB_LIST_LIMIT.maximum)
  limit: number = JOB_LIST_LIMIT.default;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(JOB_LIST_OFFSET.minimum)
  @Max(JOB_LIST_OFFSET.maximum)
  offset: number = JOB_LIST_OFFSET.default;
}

/** The fields of a job a reader may ask for alone (`?fields=status,seq`): a poll needs no more. */
export const JOB_FIELDS = ['id', 'pipelineId', 'status', 'createdAt', 'updatedAt', 'startedAt', 'finishedAt', 'params', 'inputs', 'outputs', 'steps', 'error', 'webhook', 'seq'] as const;

/** The query of an output download: the item of a for-each output. */
export class OutputQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(OUTPUT_INDEX.minimum) @Max(OUTPUT_INDEX.maximum) index?: number;
}
