import { ArtifactRef, ErrorCode, MarketplaceError, TaskRequest } from '@aim/contracts';

/**
 * What a service answered, checked before the job keeps it: a file output must lie under the step's own
 * prefix, or be one of the inputs it was given (an input passed through unchanged). A service (over a
 * broker, maybe not the one the engine thinks) must never make a job point at another job's files.
 */
export function checkedStepOutputs(request: TaskRequest, outputs: unknown): Record<string, ArtifactRef> {
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
    throw new MarketplaceError(ErrorCode.Internal, `${request.service}.${request.task} answered no outputs`);
  }
  const inputKeys = new Set(Object.values(request.inputs).map((input) => input.blobKey));
  for (const [name, ref] of Object.entries(outputs as Record<string, ArtifactRef>)) {
    if (typeof ref !== 'object' || ref === null || typeof ref.contentType !== 'string') {
      throw new MarketplaceError(ErrorCode.Internal, `${request.service}.${request.task} answered output "${name}" without a content type`);
    }
    if (ref.blobKey === undefined) continue;
    const ownFile = typeof ref.blobKey === 'string' && ref.blobKey.startsWith(`${request.outputPrefix}/`) && !ref.blobKey.includes('..');
    if (!ownFile && !inputKeys.has(ref.blobKey)) {
      throw new MarketplaceError(ErrorCode.Internal, `${request.service}.${request.task} answered output "${name}" with a file outside its step`);
    }
  }
  return outputs as Record<string, ArtifactRef>;
}
