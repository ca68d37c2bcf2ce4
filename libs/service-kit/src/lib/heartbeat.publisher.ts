import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RegistryInbox } from '@aim/contracts';
import { ServiceHost } from './service-host';
import { SERVICE_HOSTS, SERVICE_KIT_OPTIONS } from './service-kit.constants';
import { TaskEntry } from './task-entry';
import type { ServiceKitOptions } from './local-services.module';

const INTERVAL_NAME = 'service-kit.heartbeat';

/**
 * Announces each hosted service once it is ready (and, in the split shape, once the remote binding takes
 * its calls), then sends its heartbeat on a timer.
 */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatPublisher.name);
  private paused = false;
  private stopped = false;
  /** The hosted services have loaded their models (they may still wait for their broker). */
  modelsReady = false;
  /** The hosted services that are ready and announced (or, over a broker that is down, announced at the next beat). */
  readonly started = new Set<string>();
  private readonly failed = new Set<ServiceHost>();

  constructor(
    @Inject(SERVICE_HOSTS) private readonly hosts: ServiceHost[],
    @Inject(SERVICE_KIT_OPTIONS) private readonly options: ServiceKitOptions,
    private readonly inbox: RegistryInbox,
    private readonly scheduler: SchedulerRegistry,
    @Optional() private readonly entry?: TaskEntry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ready: { host: ServiceHost; ms: number }[] = [];
    for (const host of this.hosts) {
      const started = Date.now();
      try {
        await host.service.ready();
      } catch (error) {
        if (this.options.requireEveryService) throw error;
        // The others still start; this one stays unannounced, and pipelines that need it say so.
        this.logger.error(`${host.name} could not start: ${(error as Error).message}`);
        this.failed.add(host);
        continue;
      }
      // In one process a service is announced as soon as it is ready; a remote entry opens for all at once.
      if (this.entry) ready.push({ host, ms: Date.now() - started });
      else await this.announce(host, Date.now() - started);
    }
    this.modelsReady = true;
    if (this.entry?.waitsForBroker) {
      // The broker may not be there yet: the process answers (live, not ready) while the entry waits for it.
      const entry = this.entry;
      void this.openThenAnnounce(entry, ready).catch((error: unknown) => this.logger.error(`the services could not take calls: ${(error as Error).message}`));
      return;
    }
    // A TCP port that cannot be had fails the start here.
    if (this.entry) await this.openThenAnnounce(this.entry, ready);
    else this.startBeating();
  }

  private async openThenAnnounce(entry: TaskEntry, ready: { host: ServiceHost; ms: number }[]): Promise<void> {
    await entry.open(ready.map(({ host }) => host));
    for (const { host, ms } of ready) await this.announce(host, ms);
    this.startBeating();
  }

  private startBeating(): void {
    if (this.stopped) return;
    const timer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
    timer.unref();
    this.scheduler.addInterval(INTERVAL_NAME, timer);
  }

  private async announce(host: ServiceHost, readyMs: number): Promise<void> {
    this.started.add(host.name);
    this.logger.log(`${host.name} ready in ${readyMs} ms as ${host.instanceId}`);
    try {
      await this.inbox.announce({ descriptor: host.service.descriptor, heartbeat: host.heartbeat() });
    } catch (error) {
      // Over a broker that is down: every beat announces the service again.
      this.logger.warn(`${host.name} could not be announced yet: ${(error as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
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
