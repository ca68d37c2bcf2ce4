import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { JobStore } from './job-store.port';
import { SqliteJobStore } from './sqlite/sqlite.job-store';

export type StoreDriver = 'sqlite';

export interface StoreOptions {
  driver: StoreDriver;
  /** Folder for the SQLite file (`marketplace.sqlite`). */
  dataDir: string;
}

function createJobStore(options: StoreOptions): JobStore {
  switch (options.driver) {
    case 'sqlite':
      return new SqliteJobStore(join(options.dataDir, 'marketplace.sqlite'));
    default:
      throw new Error(`unknown store driver "${options.driver as string}"`);
  }
}

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
    return {
      module: StoreModule,
      global: true,
      providers: [
        { provide: JobStore, useFactory: () => createJobStore(options) },
        StoreCloser,
      ],
      exports: [JobStore],
    };
  }
}
