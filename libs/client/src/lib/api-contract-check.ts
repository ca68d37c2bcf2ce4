import type {
  ApiError,
  ErrorCode,
  InstanceView,
  JobEvent,
  JobEventType,
  JobPageView,
  JobStatus,
  JobStepView,
  JobView,
  PipelineDefinition,
  PipelineSummary,
  PipelineView,
  ServiceLoad,
  ServiceView,
  StatsView,
  StepRunView,
  StepStatus,
  TaskDescriptor,
  ValidationResult,
  WebhookState,
  WireError,
} from '@aim/contracts';
import type { components } from './api-types.generated';

type Schemas = components['schemas'];
/** Each assignable to the other: neither has a field, a value or an optional field the other lacks. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<Check extends true> = Check;

/**
 * Compiles only while the contracts' types (what the server's code and the webapp use) and the schemas of
 * the OpenAPI document (what the generated client types say) are the same shapes, both ways.
 */
export type ContractsMatchTheDocument = [
  Holds<Same<ErrorCode, Schemas['ErrorCode']>>,
  Holds<Same<ApiError, Omit<Schemas['Error'], 'code'> & { code: string }>>,
  Holds<Same<WireError, Schemas['WireError']>>,
  Holds<Same<JobStatus, Schemas['JobStatus']>>,
  Holds<Same<StepStatus, Schemas['StepStatus']>>,
  Holds<Same<JobEventType, Schemas['JobEventType']>>,
  Holds<Same<TaskDescriptor, Schemas['Task']>>,
  Holds<Same<InstanceView, Schemas['Instance']>>,
  Holds<Same<ServiceView, Schemas['Service']>>,
  Holds<Same<PipelineDefinition, Schemas['PipelineDefinition']>>,
  Holds<Same<PipelineSummary, Schemas['PipelineSummary']>>,
  Holds<Same<PipelineView, Schemas['Pipeline']>>,
  Holds<Same<ValidationResult, Schemas['ValidationResult']>>,
  Holds<Same<StepRunView, Schemas['StepRun']>>,
  Holds<Same<JobStepView, Schemas['JobStep']>>,
  Holds<Same<WebhookState, Schemas['Webhook']>>,
  Holds<Same<JobView, Schemas['Job']>>,
  Holds<Same<JobPageView, Schemas['JobPage']>>,
  Holds<Same<JobEvent, Schemas['JobEvent']>>,
  Holds<Same<ServiceLoad, Schemas['ServiceLoad']>>,
  Holds<Same<StatsView, Schemas['Stats']>>,
];
