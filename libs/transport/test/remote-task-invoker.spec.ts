import { ClientProxyFactory, ServerNats } from '@nestjs/microservices';
import { NatsServer } from '@aim/test-support';
import { RemoteTaskInvoker } from '../src/lib/remote-task-invoker';
import { clientOptions, natsConnection } from '../src/lib/transport.options';
import { listening, parseAnnouncement, taskSubject } from '../src/lib/wire';

/** An instance that answers what no instance of ours would: the engine must turn each into an error, never crash. */
describe('RemoteTaskInvoker facing a service that answers junk', () => {
  let nats: NatsServer;
  let server: ServerNats;
  const answers: Record<string, unknown> = { null: null, text: 'junk', number: 42, empty: {}, nullResult: { result: null }, badCode: { error: { code: 'NOT_A_CODE', message: 'x' } } };

  beforeAll(async () => {
    nats = await NatsServer.start();
    server = new ServerNats(natsConnection(nats.url));
    for (const [task, answer] of Object.entries(answers)) server.addHandler(taskSubject('liar', task), async () => answer);
    await listening(server);
  });
  afterAll(async () => {
    await server?.close();
    await nats?.dispose();
  });

  it('answers INTERNAL for every malformed reply', async () => {
    const client = ClientProxyFactory.create(clientOptions({ kind: 'nats', url: nats.url }));
    const invoker = new RemoteTaskInvoker(() => client);
    try {
      for (const task of Object.keys(answers)) {
        const call = invoker.invoke({ service: 'liar', task, inputs: {}, params: {}, outputPrefix: 'jobs/j/steps/s' }, { signal: new AbortController().signal, timeoutMs: 3000 });
        await expect(call).rejects.toMatchObject({ code: 'INTERNAL', retryable: false });
      }
    } finally {
      await client.close();
    }
  });
});

describe('parseAnnouncement', () => {
  const heartbeat = { service: 'svc', instanceId: 'svc-1', version: '1', queueDepth: 0, inFlight: 0, concurrency: 1, queueLimit: 1, sentAt: '' };
  const task = { name: 't', summary: '', params: { type: 'object' }, inputs: [{ name: 'image', contentTypes: ['image/png'] }], outputs: [{ name: 'o', contentType: 'application/json' }] };
  const descriptor = { name: 'svc', version: '1', summary: '', tags: [], usesAi: false, tasks: [task] };

  it('takes a well-formed announcement and refuses every malformed one', () => {
    expect(parseAnnouncement({ descriptor, heartbeat })).toBeDefined();
    const malformed: unknown[] = [
      null,
      'text',
      { descriptor },
      { descriptor, heartbeat: { ...heartbeat, service: 'other' } },
      { descriptor, heartbeat: { ...heartbeat, concurrency: 'many' } },
      { descriptor: { ...descriptor, tasks: [1] }, heartbeat },
      { descriptor: { ...descriptor, tasks: [{ ...task, inputs: [{ name: 'image' }] }] }, heartbeat },
      { descriptor: { ...descriptor, tasks: [{ ...task, outputs: 'none' }] }, heartbeat },
      { descriptor: { ...descriptor, tasks: [{ ...task, params: null }] }, heartbeat },
    ];
    for (const message of malformed) expect([message, parseAnnouncement(message)]).toEqual([message, undefined]);
  });
});
