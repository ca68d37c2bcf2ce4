import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { JobStore } from '@aim/store';
import { JobRunner } from '../jobs/job-runner';
import { ServiceSlots } from '../jobs/service-slots';
import { EngineMetrics } from '../observability/engine.metrics';
import { ServiceRegistry } from '../registry/service-registry';
import { StatsDto } from './api.dto';

@ApiTags('system')
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
  @ApiOperation({ summary: 'The process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'The store answers; 503 when it does not' })
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
  @HttpCode(200)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    this.metrics.activeJobs.set(this.runner.activeCount);
    for (const service of this.registry.list()) {
      this.metrics.serviceInstances.set({ service: service.descriptor.name }, service.instances.filter((i) => i.available).length);
    }
    return this.metrics.registry.metrics();
  }

  @Get('api/v1/stats')
  @ApiOperation({ summary: 'Jobs by status, unfinished jobs, per-service load' })
  @ApiOkResponse({ type: StatsDto })
  async stats(): Promise<StatsDto> {
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
