import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { TaskInvoker } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';
import { HeartbeatPublisher } from './heartbeat.publisher';
import { LocalTaskInvoker } from './local-task-invoker';
import { ServiceHost } from './service-host';
import { SERVICE_HOSTS, SERVICE_KIT_OPTIONS } from './service-kit.constants';
import { TaskService } from './task-service';

export interface ServiceKitOptions {
  /** The modules that provide the services. */
  imports: ModuleMetadata['imports'];
  services: Type<TaskService>[];
  concurrency: number;
  queueLimit: number;
  heartbeatIntervalMs: number;
  /**
   * A process of its own for one service: a service that cannot start (its models missing, say) fails
   * the process's start, so its orchestrator sees it and restarts it, instead of a process that is up
   * and never ready. In one process for all, the others start without it.
   */
  requireEveryService?: boolean;
}

/**
 * The local binding: hosts the given services in this process and provides the TaskInvoker that
 * reaches them. Needs a RegistryInbox (the engine's registry), a BlobStore (BlobStoreModule, the same one
 * the engine uses) and ScheduleModule.forRoot() from the app.
 */
@Module({})
export class LocalServicesModule {
  static register(options: ServiceKitOptions): DynamicModule {
    return {
      module: LocalServicesModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: SERVICE_KIT_OPTIONS, useValue: options },
        {
          provide: SERVICE_HOSTS,
          inject: [BlobStore, ...options.services],
          useFactory: (blobs: BlobStore, ...services: TaskService[]) => services.map((service) => new ServiceHost(service, options, blobs)),
        },
        { provide: TaskInvoker, inject: [SERVICE_HOSTS], useFactory: (hosts: ServiceHost[]) => new LocalTaskInvoker(hosts) },
        HeartbeatPublisher,
      ],
      exports: [TaskInvoker, HeartbeatPublisher, SERVICE_HOSTS],
    };
  }
}
