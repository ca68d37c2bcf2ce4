import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import { RegistryInbox } from '@aim/contracts';
import { TaskEntry } from '@aim/service-kit';
import { RemoteRegistryInbox } from './remote-registry-inbox';
import { TransportTaskEntry } from './transport-task-entry';
import { clientOptions, Endpoint, TransportOptions } from './transport.options';

export interface ServiceTransportOptions {
  transport: TransportOptions;
  /** TCP: where this service listens for the engine's calls. */
  endpoint?: Endpoint;
  /** How long a stop waits for the calls in hand to finish. */
  stopGraceMs: number;
}

const REGISTRY_CLIENT = Symbol('REGISTRY_CLIENT');

@Injectable()
class TransportStopper implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly entry: TransportTaskEntry,
    @Inject(REGISTRY_CLIENT) private readonly client: ClientProxy,
  ) {}

  /** Before anything else stops: leave the queue groups and finish the calls in hand. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.entry.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/**
 * The remote binding for a service process (split shape): its hosted services take calls over the
 * transport and announce themselves to the engine there. Import beside LocalServicesModule, which hosts them.
 */
@Module({})
export class ServiceTransportModule {
  static register(options: ServiceTransportOptions): DynamicModule {
    const { transport } = options;
    return {
      module: ServiceTransportModule,
      global: true,
      providers: [
        { provide: REGISTRY_CLIENT, useFactory: () => ClientProxyFactory.create(clientOptions(transport, transport.kind === 'tcp' ? transport.engine : undefined)) },
        { provide: RegistryInbox, inject: [REGISTRY_CLIENT], useFactory: (client: ClientProxy) => new RemoteRegistryInbox(client) },
        { provide: TransportTaskEntry, useFactory: () => new TransportTaskEntry(transport, options.stopGraceMs, options.endpoint) },
        { provide: TaskEntry, useExisting: TransportTaskEntry },
        TransportStopper,
      ],
      exports: [RegistryInbox, TaskEntry, TransportTaskEntry],
    };
  }
}
