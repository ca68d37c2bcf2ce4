import { Logger } from '@nestjs/common';
import { ServerNats, ServerTCP } from '@nestjs/microservices';
import type { NatsConnection, Subscription } from 'nats';
import { ServiceHost, TaskEntry } from '@aim/service-kit';
import { CallCounter, listenForTasks } from './task-listener';
import { Endpoint, natsConnection, TransportOptions } from './transport.options';
import { listening, MessageServer } from './wire';

/** Nest's NATS server, keeping its subscriptions so that a stop can leave the queue groups first. */
class QueueServerNats extends ServerNats {
  readonly taskSubscriptions: Subscription[] = [];

  override bindEvents(client: NatsConnection): void {
    for (const [channel, handler] of this.getHandlers()) {
      const queue = (handler.extras as { queue?: string } | undefined)?.queue;
      this.taskSubscriptions.push(client.subscribe(channel, { queue, callback: this.getMessageHandler(channel).bind(this) }));
    }
  }
}

/**
 * The service side's entry in the split shape: listens for the hosted services' tasks over NATS (in each
 * service's queue group) or TCP (on the service's own endpoint). A stop leaves the queue groups first,
 * finishes the calls it holds (at most `graceMs`), answers them, and only then closes the connection.
 */
export class TransportTaskEntry extends TaskEntry {
  private readonly logger = new Logger(TransportTaskEntry.name);
  private server?: MessageServer;
  private readonly calls = new CallCounter();
  private brokerState = 'not connected';

  constructor(
    private readonly transport: TransportOptions,
    private readonly graceMs: number,
    /** TCP: where this process listens. */
    private readonly endpoint?: Endpoint,
  ) {
    super();
  }

  get waitsForBroker(): boolean {
    return this.transport.kind === 'nats';
  }

  async open(hosts: ServiceHost[]): Promise<void> {
    let server: MessageServer;
    if (this.transport.kind === 'nats') {
      server = new QueueServerNats(natsConnection(this.transport.url));
    } else {
      if (!this.endpoint) throw new Error('a TCP service needs its own endpoint');
      server = new ServerTCP({ host: this.endpoint.host, port: this.endpoint.port });
    }
    listenForTasks(server, hosts, this.calls);
    await listening(server);
    this.brokerState = 'connected';
    // Nest reports the NATS connection's state: a service cut off from its broker is not ready.
    if (server instanceof QueueServerNats) server.status.subscribe((status) => (this.brokerState = status));
    this.server = server;
    this.logger.log(`taking calls for ${hosts.map((host) => host.name).join(', ') || 'no service'} over ${this.describe()}`);
  }

  /** Whether calls can reach this process: listening, and (over NATS) connected to the broker. */
  get connected(): boolean {
    return this.server !== undefined && this.brokerState === 'connected';
  }

  /** The calls held now, from their arrival to their answer. */
  get callsInHand(): number {
    return this.calls.count;
  }

  /** Leaves the queue groups, lets the calls in hand finish, then closes. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    if (server instanceof QueueServerNats) for (const subscription of server.taskSubscriptions) subscription.unsubscribe();
    if (!(await this.calls.idle(this.graceMs))) this.logger.warn(`stopping with ${this.calls.count} call(s) unfinished after ${this.graceMs} ms`);
    // The last answers are handed to the transport a turn after their handlers settle.
    await new Promise((resolve) => setImmediate(resolve));
    if (server instanceof QueueServerNats) await server.unwrap<NatsConnection>().flush().catch(() => undefined);
    await server.close();
  }

  private describe(): string {
    return this.transport.kind === 'nats' ? `NATS ${this.transport.url}` : `TCP ${this.endpoint?.host}:${this.endpoint?.port}`;
  }
}
