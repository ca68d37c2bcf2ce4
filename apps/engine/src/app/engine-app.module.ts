import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { splitBlobStoreFrom, transportFrom } from '@aim/app-runtime';
import { engineOptionsFrom, storeOptionsFrom } from '@aim/app-wiring';
import { BlobStoreModule } from '@aim/blob-store';
import { LoadedEnvironment } from '@aim/config';
import { EngineModule } from '@aim/engine';
import { StoreModule } from '@aim/store';
import { RemoteServicesModule } from '@aim/transport';

/** The split shape's engine: the HTTP API and the webapp, the store, and every service reached over the transport. */
@Module({})
export class EngineAppModule {
  static register(config: LoadedEnvironment): DynamicModule {
    return {
      module: EngineAppModule,
      imports: [
        ScheduleModule.forRoot(),
        StoreModule.register(storeOptionsFrom(config)),
        BlobStoreModule.register(splitBlobStoreFrom(config)),
        EngineModule.register(engineOptionsFrom(config)),
        RemoteServicesModule.register(transportFrom(config)),
      ],
    };
  }
}
