import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Subject } from 'rxjs';
import { Announcement, Heartbeat, InstanceView, RegistryInbox, ServiceDescriptor } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

export interface ServiceStatus {
  descriptor: ServiceDescriptor;
  available: boolean;
  instances: InstanceView[];
}

interface InstanceState {
  heartbeat: Heartbeat;
  lastSeenMs: number;
  available: boolean;
}

const SWEEP_NAME = 'engine.registry.sweep';
/** An instance silent for this many beat intervals is forgotten, not only marked unavailable. */
const FORGET_AFTER_BEATS = 20;

/**
 * Knows every service, its descriptor and its instances. An instance that misses beats becomes
 * unavailable; a service without an available instance too; both come back with the next beat.
 */
@Injectable()
export class ServiceRegistry extends RegistryInbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServiceRegistry.name);
  private readonly services = new Map<string, { descriptor: ServiceDescriptor; instances: Map<string, InstanceState> }>();
  /** Emits the service name whenever its availability or capacity may have changed. */
  readonly changes = new Subject<string>();

  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly scheduler: SchedulerRegistry,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Four sweeps a beat: an instance is shown unavailable at most a quarter beat after its last missed beat.
    const timer = setInterval(() => this.sweep(Date.now()), Math.max(10, Math.round(this.options.heartbeatIntervalMs / 4)));
    timer.unref();
    this.scheduler.addInterval(SWEEP_NAME, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', SWEEP_NAME)) this.scheduler.deleteInterval(SWEEP_NAME);
  }

  announce({ descriptor, heartbeat }: Announcement): void {
    const known = this.services.get(descriptor.name);
    if (known && known.descriptor.version !== descriptor.version) {
      this.logger.log(`${descriptor.name} now at version ${descriptor.version} (was ${known.descriptor.version})`);
    }
    this.services.set(descriptor.name, { descriptor, instances: known?.instances ?? new Map() });
    this.heartbeat(heartbeat);
  }

  heartbeat(heartbeat: Heartbeat, now = Date.now()): void {
    const service = this.services.get(heartbeat.service);
    if (!service) {
      this.logger.warn(`heartbeat from ${heartbeat.instanceId} of unannounced service ${heartbeat.service} ignored`);
      return;
    }
    const previous = service.instances.get(heartbeat.instanceId);
    service.instances.set(heartbeat.instanceId, { heartbeat, lastSeenMs: now, available: true });
    if (!previous?.available) {
      this.logger.log(`${heartbeat.service} instance ${heartbeat.instanceId} is available`);
    }
    this.changes.next(heartbeat.service);
  }

  /** Marks silent instances unavailable and forgets long-gone ones. */
  sweep(now: number): void {
    const unavailableAfter = this.options.heartbeatIntervalMs * this.options.missedBeats;
    const forgetAfter = this.options.heartbeatIntervalMs * FORGET_AFTER_BEATS;
    for (const [name, service] of this.services) {
      for (const [id, instance] of service.instances) {
        const silence = now - instance.lastSeenMs;
        if (silence > forgetAfter) {
          service.instances.delete(id);
          this.changes.next(name);
        } else if (instance.available && silence > unavailableAfter) {
          instance.available = false;
          this.logger.warn(`${name} instance ${id} missed ${this.options.missedBeats} heartbeats: unavailable`);
          this.changes.next(name);
        }
      }
    }
  }

  descriptor(name: string): ServiceDescriptor | undefined {
    return this.services.get(name)?.descriptor;
  }

  isAvailable(name: string): boolean {
    return this.capacity(name) > 0;
  }

  /** Tasks the available instances accept at once, waiting ones included. */
  capacity(name: string): number {
    let total = 0;
    for (const instance of this.services.get(name)?.instances.values() ?? []) {
      if (instance.available) total += instance.heartbeat.concurrency + instance.heartbeat.queueLimit;
    }
    return total;
  }

  status(name: string): ServiceStatus | undefined {
    const service = this.services.get(name);
    if (!service) return undefined;
    const instances = [...service.instances.entries()].map(([id, state]) => ({
      id,
      version: state.heartbeat.version,
      available: state.available,
      lastSeen: new Date(state.lastSeenMs).toISOString(),
      queueDepth: state.heartbeat.queueDepth,
      inFlight: state.heartbeat.inFlight,
      concurrency: state.heartbeat.concurrency,
      queueLimit: state.heartbeat.queueLimit,
      runtime: state.heartbeat.runtime,
    }));
    return { descriptor: service.descriptor, available: instances.some((i) => i.available), instances };
  }

  list(): ServiceStatus[] {
    return [...this.services.keys()].sort().map((name) => this.status(name)!);
  }
}
