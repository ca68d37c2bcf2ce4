import { createConnection, Connection, Schema } from 'mongoose';
import { ErrorCode } from '@aim/contracts';
import { randomUUID } from 'node:crypto';
import { describeJobLeaseContract } from '../../../test/job-lease.contract';
import { makeEvent, makeJob, makePipeline } from '../../../test/job-fixtures';
import { describeJobStoreContract } from '../../../test/job-store.contract';
import { MongoJobStore } from './mongo.job-store';
import { JobEventRecord, JobEventRecordSchema, JobRecord, JobRecordSchema, PipelineRecord, PipelineRecordSchema } from './mongo.schemas';

const uri = process.env['MONGODB_URI'];

/** A store on its own connection to one database. */
async function connectStore(database: string): Promise<{ store: MongoJobStore; connection: Connection }> {
  const connection = await createConnection(uri as string, { dbName: database, serverSelectionTimeoutMS: 10_000 }).asPromise();
  const store = new MongoJobStore(
    connection.model(JobRecord.name, JobRecordSchema),
    connection.model(JobEventRecord.name, JobEventRecordSchema),
    connection.model(PipelineRecord.name, PipelineRecordSchema),
    { backstopTtlMs: 0 },
  );
  await store.init();
  return { store, connection };
}

/** Each test gets a database of its own, dropped when the test closes its stores. */
function newDatabase() {
  const name = `aim-contract-${randomUUID().slice(0, 8)}`;
  const opened: { store: MongoJobStore; connection: Connection }[] = [];
  return {
    async connect() {
      const handle = await connectStore(name);
      opened.push(handle);
      return handle.store;
    },
    async drop() {
      for (const { store } of opened) await store.close();
      await opened[0]?.connection.dropDatabase();
      for (const { connection } of opened) await connection.close();
    },
  };
}

if (uri) {
  describeJobStoreContract('mongodb', async () => {
    const database = newDatabase();
    const store = await database.connect();
    // The contract closes the store; the database goes with it.
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await database.drop();
    };
    return store;
  });
  describeJobLeaseContract('mongodb, two connections', async () => newDatabase());
} else {
  // Said where a reader of the test output sees it.
  console.info('MongoDB store contract skipped: MONGODB_URI is not set (no MongoDB server on this machine); the GitLab job store-contract runs it beside a mongo:7.0.14 service.');
}

describe('MongoJobStore without a server', () => {
  it('answers every operation with STORE_UNAVAILABLE (retryable) when the server cannot be reached, never a bare driver error', async () => {
    // Nothing listens on port 1; each operation gives up waiting for a connection after 300 ms.
    const connection = createConnection('mongodb://127.0.0.1:1/aim', { serverSelectionTimeoutMS: 300 });
    await connection.asPromise().catch(() => undefined);
    const model = <T>(name: string, schema: Schema<T>) => connection.model(name, schema.clone().set('bufferTimeoutMS', 300));
    const store = new MongoJobStore(model(JobRecord.name, JobRecordSchema), model(JobEventRecord.name, JobEventRecordSchema), model(PipelineRecord.name, PipelineRecordSchema), { backstopTtlMs: 0 });
    const job = makeJob('j1');
    const operations: [string, () => Promise<unknown>][] = [
      ['createJob', () => store.createJob(job, [makeEvent(job, 1)])],
      ['saveJob', () => store.saveJob(job, [], { owner: 'r', token: 1 })],
      ['getJob', () => store.getJob('j1')],
      ['listJobs', () => store.listJobs({ limit: 10, offset: 0 })],
      ['claimJobs', () => store.claimJobs('r', 1000, 5)],
      ['renewLeases', () => store.renewLeases([{ jobId: 'j1', owner: 'r', token: 1 }], 1000)],
      ['countUnfinishedJobs', () => store.countUnfinishedJobs()],
      ['savePipeline', () => store.savePipeline({ definition: makePipeline('p'), builtIn: false, createdAt: job.createdAt, updatedAt: job.createdAt })],
    ];
    try {
      for (const [name, operation] of operations) {
        const error = await operation().then(() => undefined, (failure: unknown) => failure);
        expect({ name, error }).toEqual({ name, error: expect.objectContaining({ code: ErrorCode.StoreUnavailable, retryable: true }) });
      }
    } finally {
      await connection.close();
    }
  }, 30_000);
});
