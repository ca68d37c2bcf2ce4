import { ClientProxyFactory } from '@nestjs/microservices';
import { LocalTaskInvoker } from '@aim/service-kit';
import { RemoteTaskInvoker } from '../src/lib/remote-task-invoker';
import { TransportTaskEntry } from '../src/lib/transport-task-entry';
import { clientOptions, TransportOptions } from '../src/lib/transport.options';
import { freePort, NatsServer } from '@aim/test-support';
import { taskInvokerContract } from './task-invoker.contract';

taskInvokerContract('local (one process)', async (hosts) => ({ invoker: new LocalTaskInvoker(hosts), close: async () => undefined }));

let nats: NatsServer;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(() => nats?.dispose());

taskInvokerContract('NATS (a real nats-server)', async (hosts) => {
  const transport: TransportOptions = { kind: 'nats', url: nats.url };
  const entry = new TransportTaskEntry(transport, 2000);
  await entry.open(hosts);
  const client = ClientProxyFactory.create(clientOptions(transport));
  return {
    invoker: new RemoteTaskInvoker(() => client),
    close: async () => {
      await client.close();
      await entry.close();
    },
  };
});

taskInvokerContract('TCP', async (hosts) => {
  const endpoint = { host: '127.0.0.1', port: await freePort() };
  const transport: TransportOptions = { kind: 'tcp', engine: { host: '127.0.0.1', port: await freePort() }, services: { contract: endpoint } };
  const entry = new TransportTaskEntry(transport, 2000, endpoint);
  await entry.open(hosts);
  const client = ClientProxyFactory.create(clientOptions(transport, endpoint));
  return {
    invoker: new RemoteTaskInvoker((service) => (transport.services[service] ? client : undefined)),
    close: async () => {
      client.close();
      await entry.close();
    },
  };
});
