import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Job } from '@aim/contracts';
import { JobStore, LeaseLostError } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { EngineMetrics } from '../observability/engine.metrics';
import { JobRecorder } from './job-recorder';
import { isPublicAddress, publicOnlyLookup } from './webhook-target';

export const SIGNATURE_HEADER = 'x-marketplace-signature';
export const TIMESTAMP_HEADER = 'x-marketplace-timestamp';

/** `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: what a receiver recomputes to trust a call. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Tells a job's webhook that the job finished: POSTs the job summary, signed, retried with backoff.
 * Delivery state is kept in the job, so the replica that claims it next goes on with a pending delivery.
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly store: JobStore,
    private readonly recorder: JobRecorder,
    private readonly metrics: EngineMetrics,
  ) {}

  /** No more attempts or writes: the replica stops (pending deliveries go on wherever the job is claimed next). */
  stop(): void {
    this.stopped = true;
    this.timers.forEach(clearTimeout);
  }

  /**
   * Delivers the webhook of a finished job this replica holds (one it finished, or claimed with its
   * webhook pending: a job has one holder, so one replica delivers), then gives the job up.
   */
  deliver(job: Job): void {
    void this.attempt(job);
  }

  private async attempt(job: Job): Promise<void> {
    const webhook = job.webhook;
    if (this.stopped) return;
    // Nothing (left) to deliver: the job is given up rather than held for ever.
    if (!webhook || webhook.status !== 'pending') return this.recorder.release(job.id);
    const body = JSON.stringify({
      id: job.id,
      pipelineId: job.pipelineId,
      status: job.status,
      finishedAt: job.finishedAt,
      outputs: Object.keys(job.outputs),
      error: job.error,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, 'x-marketplace-job': job.id };
    if (this.options.webhookSecret) headers[SIGNATURE_HEADER] = signWebhook(this.options.webhookSecret, timestamp, body);
    webhook.attempts++;
    try {
      const status = await this.post(webhook.url, headers, body);
      if (status < 200 || status > 299) throw new Error(`answered HTTP ${status}`);
      webhook.status = 'delivered';
      webhook.lastError = undefined;
      webhook.nextAttemptAt = undefined;
      this.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
    } catch (error) {
      webhook.lastError = (error as Error).message;
      this.metrics.webhookDeliveries.inc({ outcome: 'failed' });
      if (webhook.attempts >= this.options.webhookMaxAttempts) {
        webhook.status = 'failed';
        this.logger.warn(`webhook of job ${job.id} failed ${webhook.attempts} times, giving up: ${webhook.lastError}`);
      } else {
        const delay = this.options.retryBaseDelayMs * 2 ** (webhook.attempts - 1);
        webhook.nextAttemptAt = new Date(Date.now() + delay).toISOString();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void this.attempt(job);
        }, delay);
        this.timers.add(timer);
      }
    }
    if (this.stopped) return;
    const fence = this.recorder.fenceOf(job.id);
    if (!fence) return; // another replica holds the job now, and delivers
    try {
      await this.store.saveJob(job, [], fence);
    } catch (error) {
      if (error instanceof LeaseLostError) return this.recorder.forget(job.id);
      this.logger.error(`webhook state of ${job.id} not saved: ${error}`);
    }
    if (webhook.status !== 'pending') await this.recorder.release(job.id);
  }

  /**
   * One POST, redirects not followed, connecting only to public addresses unless private targets are
   * allowed: the address is checked when the connection is made, not only when the job was submitted.
   */
  private post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const allowPrivate = this.options.webhookAllowPrivateTargets;
    if (!allowPrivate && isIP(host) && !isPublicAddress(host)) return Promise.reject(new Error('refused to connect to a non-public address'));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const call = send(target, { method: 'POST', headers, timeout: this.options.webhookTimeoutMs, lookup: allowPrivate ? undefined : publicOnlyLookup }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      call.on('timeout', () => call.destroy(new Error(`no answer within ${this.options.webhookTimeoutMs} ms`)));
      call.on('error', (error) => reject(new Error(error.message.startsWith('refused') ? error.message : 'could not connect')));
      call.end(body);
    });
  }
}
