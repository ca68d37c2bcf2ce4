import './thread-pool';
import 'reflect-metadata';
import { runApp } from '@aim/app-runtime';
import { createEngineHttpApp } from '@aim/app-wiring';
import { EngineMetrics } from '@aim/engine';
import { EngineAppModule } from './app/engine-app.module';

void runApp(
  'the engine',
  async (config) => {
    const app = await createEngineHttpApp(EngineAppModule.register(config), config);
    const metrics = app.get(EngineMetrics);
    return { app, onUnhandledRejection: () => metrics.unhandledRejections.inc() };
  },
  (config) => `AI Marketplace engine on http://localhost:${config.PORT}, services over ${config.TRANSPORT === 'nats' ? config.NATS_URL : `TCP (${config.TCP_SERVICES})`}`,
);
