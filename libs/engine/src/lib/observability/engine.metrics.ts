import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of the engine, on a registry of its own (served at /metrics). */
@Injectable()
export class EngineMetrics {
  readonly registry = new Registry();

  readonly jobsSubmitted = new Counter({
    name: 'marketplace_jobs_submitted_total',
    help: 'Jobs accepted, by pipeline',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'marketplace_jobs_finished_total',
    help: 'Jobs that reached a terminal state, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });

  readonly jobsRefused = new Counter({
    name: 'marketplace_jobs_refused_total',
    help: 'Submissions refused because the engine queue was full',
    registers: [this.registry],
  });

  readonly stepDuration = new Histogram({
    name: 'marketplace_step_duration_seconds',
    help: 'Time of one step attempt, from dispatch to stored outputs',
    labelNames: ['service', 'task'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly activeJobs = new Gauge({
    name: 'marketplace_active_jobs',
    help: 'Jobs accepted and not finished',
    registers: [this.registry],
  });

  readonly serviceInstances = new Gauge({
    name: 'marketplace_service_instances_available',
    help: 'Available instances per service',
    labelNames: ['service'],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'marketplace_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly unhandledRejections = new Counter({
    name: 'marketplace_unhandled_rejections_total',
    help: 'Promise rejections nobody handled; each is logged and the process goes on',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'marketplace_' });
  }
}
