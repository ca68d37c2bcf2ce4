import './thread-pool';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { ConfigurationError, loadEnvironment } from '@aim/config';
import { EngineMetrics } from '@aim/engine';
import { describeFault, guardAgainstUnhandledRejections } from '@aim/service-kit';
import { createMarketplaceApp } from './app/create-marketplace-app';

async function main(): Promise<void> {
  let metrics: EngineMetrics | undefined = undefined; // set once the app exists
  guardAgainstUnhandledRejections((reason) => {
    Logger.error(`unhandled promise rejection (the process goes on): ${describeFault(reason)}`, 'Process');
    metrics?.unhandledRejections.inc();
  });
  // Variables already in the environment win over the file's.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  const app = await createMarketplaceApp(config);
  metrics = app.get(EngineMetrics);
  await app.listen(config.PORT, config.HOST);
  Logger.log(`AI Marketplace on http://localhost:${config.PORT} (API docs at /api/docs, data in ${config.DATA_DIR})`, 'Main');
}

main().catch((error) => {
  Logger.error(`the marketplace could not start: ${describeFault(error)}`, 'Main');
  process.exit(1);
});
