import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, ServerNats, ServerTCP } from '@nestjs/microservices';
import { RegistryInbox, TaskInvoker } from '@aim/contracts';
import { listenForAnnouncements } from './announcement-listener';
import { RemoteTaskInvoker } from './remote-task-invoker';
import { clientOptions, natsConnection, TransportOptions } from './transport.options';
import { listening, MessageServer } from './wire';

const TRANSPORT_OPTIONS = Symbol('TRANSPORT_OPTIONS');

/** The engine's connections to the services: one NATS client for all, or one TCP client per service. */
@Injectable()
export class ServiceClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, ClientProxy>();
  private readonly shared?: ClientProxy;

  constructor(@Inject(TRANSPORT_OPTIONS) private readonly transport: TransportOptions) {
    if (transport.kind === 'nats') this.shared = ClientProxyFactory.create(clientOptions(transport));
  }

  forService(service: string): ClientProxy | undefined {
    if (this.shared) return this.shared;
    if (this.transport.kind !== 'tcp') return undefined;
    const endpoint = this.transport.services[service];
    if (!endpoint) return undefined;
    let client = this.clients.get(service);
    if (!client) this.clients.set(service, (client = ClientProxyFactory.create(clientOptions(this.transport, endpoint))));
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.shared, ...this.clients.values()].map((client) => client?.close()));
  }
}

/** Hears the services' announcements on the transport and hands them to the engine's registry. */
@Injectable()
export class AnnouncementServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnnouncementServer.name);
  private server?: MessageServer;

  constructor(
    @Inject(TRANSPORT_OPTIONS) private readonly transport: TransportOptions,
    private readonly inbox: RegistryInbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const transport = this.transport;
    const server: MessageServer =
      transport.kind === 'nats' ? new ServerNats(natsConnection(transport.url)) : new ServerTCP({ host: transport.engine.host, port: transport.engine.port });
    listenForAnnouncements(server, this.inbox);
    this.server = server;
    const where = transport.kind === 'nats' ? `NATS ${transport.url}` : `TCP ${transport.engine.host}:${transport.engine.port}`;
    const listened = listening(server).then(() => this.logger.log(`listening for services over ${where}`));
    // A TCP port that cannot be had stops the start; NATS is waited for without holding the engine back
    // (it answers its API and webapp meanwhile; services show up once the broker is there).
    if (transport.kind === 'tcp') return listened;
    listened.catch((error: unknown) => this.logger.error(`cannot listen for services over ${where}: ${(error as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}

/**
 * The remote binding for the engine (split shape): its TaskInvoker sends every call over the transport,
 * and the services' announcements reach its registry. Needs the engine's RegistryInbox (EngineModule).
 */
@Module({})
export class RemoteServicesModule {
  static register(transport: TransportOptions): DynamicModule {
    return {
      module: RemoteServicesModule,
      global: true,
      providers: [
        { provide: TRANSPORT_OPTIONS, useValue: transport },
        ServiceClients,
        AnnouncementServer,
        { provide: TaskInvoker, inject: [ServiceClients], useFactory: (clients: ServiceClients) => new RemoteTaskInvoker((service) => clients.forService(service)) },
      ],
      exports: [TaskInvoker],
    };
  }
}
