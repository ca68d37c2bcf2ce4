import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import { LoadedEnvironment } from '@aim/config';
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
  // JSON submissions carry files as base64, a third larger than the bytes.
  app.use(json({ limit: Math.ceil(config.MAX_UPLOAD_BYTES * 1.4) + 64 * 1024 }), bodyParserErrorHandler(config.MAX_UPLOAD_BYTES));
  app.enableShutdownHooks();
  serveWebapp(app, config.WEBAPP_DIR ?? join(workspaceRoot(), 'dist/apps/webapp/browser'));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('AI Marketplace')
      .setDescription('Run AI services on your own images, alone or chained into pipelines.')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
