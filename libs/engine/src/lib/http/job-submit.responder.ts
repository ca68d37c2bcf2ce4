import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isTerminalJobStatus, JobView } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { JobSubmissionService } from '../jobs/job-submission.service';
import { JobsService } from '../jobs/jobs.service';
import { Caller, ownerForSubmit } from './caller.guard';
import { jobView } from './job.view';
import { whileCallerWaits } from './prefer-wait';
import { readSubmission } from './submission-request';

/**
 * The answer to a job submission, the same on every submit route: 202 with the job and its `Location`;
 * 200 when the Idempotency-Key named an earlier job, or when the caller asked to wait (`Prefer: wait=N`)
 * and the job ended within that time.
 */
@Injectable()
export class JobSubmitResponder {
  constructor(
    private readonly submissions: JobSubmissionService,
    private readonly jobs: JobsService,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {}

  async submit(pipelineId: string, request: Request, response: Response, files: Express.Multer.File[], caller: Caller): Promise<JobView> {
    const owner = ownerForSubmit(caller, request, response, this.options.allowAnonymous);
    const submitted = await this.submissions.submit({ ...readSubmission(pipelineId, request, files), owner });
    response.setHeader('Location', `/api/v1/jobs/${submitted.job.id}`);
    // The job's owner (a cookie set just now counts) may read it, whoever the caller was before.
    const reader: Caller = { ...caller, owner };
    // Read again, as stored: the job may have moved on since it was created.
    const id = submitted.job.id;
    const now = await this.jobs.read(id, reader, jobView);
    const view = await whileCallerWaits(request, response, this.options.maxWaitSeconds, now, (ms, signal) => this.jobs.waitForEnd(id, reader, ms, signal, jobView));
    if (!submitted.created || isTerminalJobStatus(view.status)) response.status(200);
    return view;
  }
}
