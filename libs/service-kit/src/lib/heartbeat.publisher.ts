import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RegistryInbox } from '@aim/contracts';
import { ServiceHost } from './service-host';
import { SERVICE_HOSTS, SERVICE_KIT_OPTIONS } from './service-kit.constants';
import type { ServiceKitOptions } from './local-services.module';

const INTERVAL_NAME = 'service-kit.heartbeat';

/** Announces each hosted service once it is ready, then sends its heartbeat on a timer. */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatPublisher.name);
  private paused = false;
  private readonly failed = new Set<ServiceHost>();

  constructor(
    @Inject(SERVICE_HOSTS) private readonly hosts: ServiceHost[],
    @Inject(SERVICE_KIT_OPTIONS) private readonly options: ServiceKitOptions,
    private readonly inbox: RegistryInbox,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const host of this.hosts) {
      const started = Date.now();
      try {
        await host.service.ready();
      } catch (error) {
        // The others still start; this one stays unannounced, and pipelines that need it say so.
        this.logger.error(`${host.name} could not start: ${(error as Error).message}`);
        this.failed.add(host);
        continue;
      }
      await this.inbox.announce({ descriptor: host.service.descriptor, heartbeat: host.heartbeat() });
      this.logger.log(`${host.name} ready in ${Date.now() - started} ms as ${host.instanceId}`);
    }
    const timer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
    timer.unref();
    this.scheduler.addInterval(INTERVAL_NAME, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
  }

  /** Stops the beats without stopping the services, as a crashed network would (used by tests and drills). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    void this.beat();
  }

  private async beat(): Promise<void> {
    if (this.paused) return;
    for (const host of this.hosts) {
      if (this.failed.has(host)) continue;
      try {
        await this.inbox.heartbeat(host.heartbeat());
      } catch (error) {
        this.logger.warn(`heartbeat of ${host.name} failed: ${(error as Error).message}`);
      }
    }
  }
}
