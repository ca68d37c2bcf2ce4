import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { resolve } from 'node:path';
import { hostingOptions } from '@aim/app-runtime';
import { engineOptionsFrom, storeOptionsFrom } from '@aim/app-wiring';
import { BlobStoreModule } from '@aim/blob-store';
import { LoadedEnvironment } from '@aim/config';
import { EngineModule } from '@aim/engine';
import { LocalServicesModule } from '@aim/service-kit';
import { StoreModule } from '@aim/store';
import { SERVICE_CATALOGUE } from './service-catalogue';

/** One process: the engine, every service bound locally, the embedded store. */
@Module({})
export class MarketplaceModule {
  static register(config: LoadedEnvironment): DynamicModule {
    return {
      module: MarketplaceModule,
      imports: [
        ScheduleModule.forRoot(),
        StoreModule.register(storeOptionsFrom(config)),
        BlobStoreModule.register({ driver: 'folder', folder: resolve(config.DATA_DIR, 'blobs') }),
        EngineModule.register(engineOptionsFrom(config)),
        LocalServicesModule.register(hostingOptions(Object.values(SERVICE_CATALOGUE), config)),
      ],
    };
  }
}
