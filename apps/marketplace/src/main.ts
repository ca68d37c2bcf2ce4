import './thread-pool';
import 'reflect-metadata';
import { runApp } from '@aim/app-runtime';
import { createEngineHttpApp } from '@aim/app-wiring';
import { EngineMetrics } from '@aim/engine';
import { MarketplaceModule } from './app/marketplace.module';

void runApp(
  'the marketplace',
  async (config) => {
    const app = await createEngineHttpApp(MarketplaceModule.register(config), config);
    const metrics = app.get(EngineMetrics);
    return { app, onUnhandledRejection: () => metrics.unhandledRejections.inc() };
  },
  (config) => `AI Marketplace on http://localhost:${config.PORT} (API docs at /api/docs, data in ${config.DATA_DIR})`,
);
