import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '@aim/config';
import { createEngineHttpApp } from '@aim/app-wiring';
import { watchApiContract } from '@aim/test-support';
import { MarketplaceModule } from '../../src/app/marketplace.module';

export const ADMIN_KEY = 'marketplace-test-admin-key';
/** A user key: jobs submitted with it belong to it (ownership.spec covers browsers and strangers). */
export const USER_KEY = 'marketplace-test-user-key';

/** HTTP calls as the program holding USER_KEY. */
export const api = (server: Parameters<typeof request.agent>[0]) => request.agent(server).set('X-API-Key', USER_KEY);

export interface MarketplaceHarness {
  app: INestApplication;
  dataDir: string;
  close(): Promise<void>;
}

/** The one-process app exactly as `npm start` builds it, on a fresh data folder. */
export async function startMarketplace(env: Record<string, string> = {}): Promise<MarketplaceHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-marketplace-'));
  const config = loadEnvironment({ DATA_DIR: dataDir, LOG_LEVEL: 'error', ADMIN_API_KEY: ADMIN_KEY, API_KEYS: USER_KEY, ...env });
  const app = await createEngineHttpApp(MarketplaceModule.register(config), config);
  await app.init();
  // Every answer the tests receive is checked against the document the app serves.
  watchApiContract(app.getHttpServer(), (await request(app.getHttpServer()).get('/api/docs-json').expect(200)).body);
  return {
    app,
    dataDir,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
