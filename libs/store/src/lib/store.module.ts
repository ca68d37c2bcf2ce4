import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { join } from 'node:path';
import { JobStore } from './job-store.port';
import { MongoJobStore } from './mongo/mongo.job-store';
import { JobEventRecord, JobRecord, MONGO_MODELS, PipelineRecord } from './mongo/mongo.schemas';
import { SqliteJobStore } from './sqlite/sqlite.job-store';

export type StoreDriver = 'sqlite' | 'mongo';

export type StoreOptions =
  | {
      driver: 'sqlite';
      /** Folder for the SQLite file (`marketplace.sqlite`). */
      dataDir: string;
    }
  | {
      driver: 'mongo';
      /** mongodb://user:password@host:27017/database?authSource=admin */
      uri: string;
      /** MongoDB removes finished jobs and events this long after they finished, behind the engine's retention; 0: never. */
      backstopTtlMs: number;
    };

@Injectable()
class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(JobStore) private readonly store: JobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Module({})
export class StoreModule {
  static register(options: StoreOptions): DynamicModule {
    const base = { module: StoreModule, global: true, exports: [JobStore] };
    if (options.driver === 'sqlite') {
      return { ...base, providers: [{ provide: JobStore, useFactory: () => new SqliteJobStore(join(options.dataDir, 'marketplace.sqlite')) }, StoreCloser] };
    }
    return {
      ...base,
      imports: [
        // A server that cannot be found fails the start in about 20 s (three tries of 5 s, 1 s apart), with
        // the reason, instead of Nest's default 9 tries 3 s apart; the orchestrator starts the engine again.
        MongooseModule.forRoot(options.uri, { serverSelectionTimeoutMS: 5_000, retryAttempts: 2, retryDelay: 1_000, autoIndex: false }),
        MongooseModule.forFeature(MONGO_MODELS),
      ],
      providers: [
        {
          provide: JobStore,
          inject: [getModelToken(JobRecord.name), getModelToken(JobEventRecord.name), getModelToken(PipelineRecord.name)],
          useFactory: async (jobs: Model<JobRecord>, events: Model<JobEventRecord>, pipelines: Model<PipelineRecord>) => {
            const store = new MongoJobStore(jobs, events, pipelines, { backstopTtlMs: options.backstopTtlMs });
            await store.init();
            return store;
          },
        },
        StoreCloser,
      ],
    };
  }
}
