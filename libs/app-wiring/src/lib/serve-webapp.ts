import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const API_PATHS = /^\/(api|health|metrics)(\/|$)/;

/**
 * Serves the built webapp at `/`: its files as they are, and index.html for any other page address
 * (the Angular router takes it from there). API paths are never answered with the page.
 */
export function serveWebapp(app: NestExpressApplication, folder: string): void {
  const index = join(folder, 'index.html');
  if (!existsSync(index)) {
    Logger.warn(`no webapp in ${folder}: build it with npx nx build webapp (npm start does)`, 'Webapp');
    return;
  }
  // API requests skip the file server: no file-system call (and no thread-pool slot) per API request.
  const files = serveStatic(folder, { index: false, maxAge: '1h', immutable: false });
  app.use((request: Request, response: Response, next: NextFunction) => (API_PATHS.test(request.path) ? next() : files(request, response, next)));
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || API_PATHS.test(request.path) || !request.accepts('html')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}
