import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { StatsView } from '@aim/contracts';
import { JobStore } from '@aim/store';
import { JobRunner } from '../jobs/job-runner';
import { ServiceSlots } from '../jobs/service-slots';
import { EngineMetrics } from '../observability/engine.metrics';
import { ServiceRegistry } from '../registry/service-registry';
import { WithoutCaller } from './caller.guard';

@Controller()
export class SystemController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly registry: ServiceRegistry,
    private readonly slots: ServiceSlots,
    private readonly metrics: EngineMetrics,
  ) {}

  @Get('health/live')
  @WithoutCaller()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @WithoutCaller()
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: string; store: string; services: Record<string, string> }> {
    const services = Object.fromEntries(this.registry.list().map((s) => [s.descriptor.name, s.available ? 'available' : 'unavailable']));
    try {
      await this.store.countJobsByStatus();
      return { status: 'ready', store: 'ok', services };
    } catch (error) {
      response.status(503);
      return { status: 'not ready', store: (error as Error).message, services };
    }
  }

  @Get('metrics')
  @WithoutCaller()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    this.metrics.activeJobs.set(this.runner.activeCount);
    for (const service of this.registry.list()) {
      this.metrics.serviceInstances.set({ service: service.descriptor.name }, service.instances.filter((i) => i.available).length);
    }
    return this.metrics.registry.metrics();
  }

  @Get('api/v1/stats')
  async stats(): Promise<StatsView> {
    return {
      jobs: await this.store.countJobsByStatus(),
      activeJobs: this.runner.activeCount,
      services: this.registry.list().map((service) => ({
        name: service.descriptor.name,
        available: service.available,
        instances: service.instances.filter((i) => i.available).length,
        capacity: this.registry.capacity(service.descriptor.name),
        inFlight: this.slots.inUse(service.descriptor.name),
        held: this.slots.heldCount(service.descriptor.name),
      })),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }
}
