import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import { LoadedEnvironment } from '@aim/config';
import { engineOpenApiDocument, OPENAPI_JSON_PATH } from '@aim/engine';
import { logLevels, useSecurityHeaders, workspaceRoot } from '@aim/app-runtime';
import { bodyParserErrorHandler } from '@aim/http-errors';
import { join } from 'node:path';
import { serveWebapp } from './serve-webapp';

/**
 * Builds the engine's HTTP app around `module` (the one-process app, or the split shape's engine), not
 * listening yet: security headers, body limits, the webapp, the OpenAPI document, shutdown hooks.
 */
export async function createEngineHttpApp(module: DynamicModule, config: LoadedEnvironment): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger: logLevels(config) });
  useSecurityHeaders(app);
  // Express would hash every JSON answer for an ETag; the routes that profit from one (a job) set their own.
  app.set('etag', false);
  // JSON submissions carry files as base64, a third larger than the bytes. Only the methods whose routes
  // take a body have it read: a body sent with a GET or a DELETE is ignored, as the document says.
  const parseJson = json({ limit: Math.ceil(config.MAX_UPLOAD_BYTES * 1.4) + 64 * 1024 });
  app.use(
    (request: Request, response: Response, next: NextFunction) => (request.method === 'POST' || request.method === 'PUT' ? parseJson(request, response, next) : next()),
    bodyParserErrorHandler(config.MAX_UPLOAD_BYTES),
  );
  app.enableShutdownHooks();
  serveWebapp(app, config.WEBAPP_DIR ?? join(workspaceRoot(), 'dist/apps/webapp/browser'));
  // Swagger UI reads 3.1 documents; its own type of a document is the 3.0 one.
  const document = engineOpenApiDocument() as unknown as OpenAPIObject;
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1) });
  return app;
}
