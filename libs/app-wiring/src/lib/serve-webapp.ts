import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';
import { constants as zlib } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const API_PATHS = /^\/(api|health|metrics)(\/|$)/;
/** What the Angular build names with a content hash (`main-ABCD1234.js`): such a file never changes. */
const HASHED_ASSET = /-[A-Z0-9]{8}\.(js|css)$/;

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
  // Hashed files are kept a year and never asked for again; the rest (index.html, icons) is revalidated.
  const files = serveStatic(folder, {
    index: false,
    setHeaders: (response, path) => response.setHeader('Cache-Control', HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  // Text is sent brotli- or gzip-compressed; brotli at quality 5, which is fast enough to do per request.
  const compress = compression({ threshold: 1024, brotli: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } } });
  // API requests skip both: no file-system call per API request, and event streams are never buffered.
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (API_PATHS.test(request.path)) return next();
    compress(request, response, () => files(request, response, next));
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || API_PATHS.test(request.path) || !request.accepts('html')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}
