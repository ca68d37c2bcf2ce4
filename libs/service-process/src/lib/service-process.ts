import { Controller, DynamicModule, Get, Header, HttpCode, Inject, Injectable, Module, Param, Post, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { AnyFilesInterceptor, MulterModule } from '@nestjs/platform-express';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ScheduleModule } from '@nestjs/schedule';
import { SwaggerModule } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Request, Response } from 'express';
import { memoryStorage } from 'multer';
import { Artifact, ErrorCode, findTask, isJsonArtifact, MarketplaceError } from '@aim/contracts';
import { BlobStore, BlobStoreModule } from '@aim/blob-store';
import { LoadedEnvironment } from '@aim/config';
import { hostingOptions, logLevels, runApp, splitBlobStoreFrom, transportFrom, useSecurityHeaders } from '@aim/app-runtime';
import { HttpErrorFilter, parseJsonField } from '@aim/http-errors';
import { DirectTaskCaller, HeartbeatPublisher, LocalServicesModule, readImageHeader, SERVICE_HOSTS, ServiceHost, ServiceHosting } from '@aim/service-kit';
import { ServiceTransportModule, TransportTaskEntry } from '@aim/transport';
import { serviceOpenApi } from './service-openapi';

const SERVICE_PROCESS_OPTIONS = Symbol('SERVICE_PROCESS_OPTIONS');

/** Prometheus metrics of a service process: its calls (from the engine and over HTTP alike), its queue. */
@Injectable()
class ServiceMetrics {
  readonly registry = new Registry();

  constructor(@Inject(SERVICE_HOSTS) hosts: ServiceHost[]) {
    collectDefaultMetrics({ register: this.registry });
    const calls = new Counter({ name: 'aim_service_calls_total', help: 'Calls that ended, by task and outcome (ok or the error code)', labelNames: ['service', 'task', 'outcome'], registers: [this.registry] });
    const seconds = new Histogram({
      name: 'aim_service_call_seconds',
      help: 'Time of a call, from its arrival to its answer',
      labelNames: ['service', 'task'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    for (const host of hosts) {
      host.ended.subscribe(({ task, seconds: took, code }) => {
        calls.inc({ service: host.name, task, outcome: code ?? 'ok' });
        seconds.observe({ service: host.name, task }, took);
      });
    }
    const gauge = (name: string, help: string, read: (host: ServiceHost) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['service'],
        registers: [this.registry],
        collect() {
          for (const host of hosts) this.set({ service: host.name }, read(host));
        },
      });
    gauge('aim_service_in_flight', 'Calls being worked on', (host) => host.queue.inFlight);
    gauge('aim_service_queue_depth', 'Calls waiting for their turn', (host) => host.queue.depth);
  }
}

/**
 * A service process's own HTTP face: health for its orchestrator, and each task callable alone
 * (`POST /tasks/<task>`, the image as a multipart file named after the task's input, `params` as JSON
 * text), as each service of the original product was.
 */
@Controller()
class ServiceHttpController {
  private readonly host: ServiceHost;
  private readonly caller: DirectTaskCaller;

  constructor(
    @Inject(SERVICE_HOSTS) hosts: ServiceHost[],
    blobs: BlobStore,
    private readonly publisher: HeartbeatPublisher,
    private readonly entry: TransportTaskEntry,
    private readonly metrics: ServiceMetrics,
    @Inject(SERVICE_PROCESS_OPTIONS) private readonly options: { maxImagePixels: number },
  ) {
    this.host = hosts[0];
    this.caller = new DirectTaskCaller(this.host, blobs);
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Ready once the service's models are loaded, it is announced, and calls can reach it (over NATS: connected). */
  @Get('health/ready')
  ready(@Res() response: Response) {
    const started = this.publisher.started.has(this.host.name);
    const ready = started && this.entry.connected;
    const status = ready ? 'ready' : started || this.publisher.modelsReady ? 'no connection to the broker' : 'starting';
    response.status(ready ? 200 : 503).json({ status, service: this.host.name, instance: this.host.instanceId, callsInHand: this.entry.callsInHand });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  @Post('tasks/:task')
  @HttpCode(200)
  @UseInterceptors(AnyFilesInterceptor())
  async run(@Param('task') taskName: string, @UploadedFiles() files: Express.Multer.File[] = [], @Req() request: Request, @Res() response: Response) {
    const task = findTask(this.host.service.descriptor, taskName);
    if (!task) throw new MarketplaceError(ErrorCode.TaskNotFound, `service "${this.host.name}" has no task "${taskName}"; it has ${this.host.service.descriptor.tasks.map((t) => t.name).join(', ')}`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const params = typeof body['params'] === 'string' && body['params'].trim() ? parseJsonField(body['params'], 'params') : {};
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new MarketplaceError(ErrorCode.InvalidParameters, 'params must be a JSON object');
    const inputs: Record<string, Artifact> = {};
    for (const input of task.inputs) {
      const file = files.find((f) => f.fieldname === input.name) ?? (task.inputs.length === 1 && files.length === 1 ? files[0] : undefined);
      if (!file) throw new MarketplaceError(ErrorCode.InputMissing, `send the input "${input.name}" as a multipart file field named "${input.name}"`);
      // Images are known by their bytes, not by the type the client claims.
      const header = await readImageHeader(file.buffer, this.options.maxImagePixels);
      inputs[input.name] = { contentType: `image/${header.format}`, data: file.buffer };
    }
    // The caller gone before its answer: the work stops (the request's own 'close' only means its body was read).
    const abort = new AbortController();
    response.on('close', () => {
      if (!response.writableEnded) abort.abort();
    });
    const outputs = await this.caller.call(task.name, inputs, params as Record<string, unknown>, abort.signal);
    const fileOutputs = Object.values(outputs).filter((output) => !isJsonArtifact(output));
    if (task.outputs.length === 1 && fileOutputs.length === 1) {
      const [file] = fileOutputs as { contentType: string; data: Uint8Array }[];
      response.type(file.contentType).send(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength));
      return;
    }
    response.json(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, isJsonArtifact(output) ? output.value : { contentType: output.contentType, base64: Buffer.from(output.data).toString('base64') }])));
  }
}

/** One service as a process of the split shape: hosted here, reached over the transport, blobs shared. */
@Module({})
export class ServiceProcessModule {
  static register(name: string, hosting: ServiceHosting, config: LoadedEnvironment): DynamicModule {
    const transport = transportFrom(config);
    const own = transport.kind === 'tcp' ? transport.services[name] : undefined;
    if (transport.kind === 'tcp' && !own) throw new Error(`TCP_SERVICES has no entry for ${name}`);
    return {
      module: ServiceProcessModule,
      imports: [
        ScheduleModule.forRoot(),
        BlobStoreModule.register(splitBlobStoreFrom(config)),
        MulterModule.register({ storage: memoryStorage(), limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 8, fields: 8, fieldSize: 1024 * 1024 } }),
        ServiceTransportModule.register({ transport, endpoint: own && { host: config.HOST, port: own.port }, stopGraceMs: config.SERVICE_STOP_GRACE_MS }),
        LocalServicesModule.register({ ...hostingOptions([hosting], config), requireEveryService: true }),
      ],
      controllers: [ServiceHttpController],
      providers: [
        ServiceMetrics,
        { provide: SERVICE_PROCESS_OPTIONS, useValue: { maxImagePixels: config.MAX_IMAGE_PIXELS } },
        { provide: APP_FILTER, useValue: new HttpErrorFilter(config.MAX_UPLOAD_BYTES) },
      ],
    };
  }
}

/**
 * The main of a service app: `runServiceProcess('face-detection', hostFaceDetection)`. Only that
 * service's library is imported, so its bundle and image carry nothing of the others or of the engine.
 */
export function runServiceProcess(name: string, hosting: ServiceHosting): void {
  void runApp(
    name,
    async (config) => {
      const app = await NestFactory.create<NestExpressApplication>(ServiceProcessModule.register(name, hosting, config), { logger: logLevels(config) });
      useSecurityHeaders(app);
      app.enableShutdownHooks();
      const [host] = app.get<ServiceHost[]>(SERVICE_HOSTS);
      SwaggerModule.setup('api/docs', app, serviceOpenApi(host.service.descriptor), { jsonDocumentUrl: 'api/docs-json' });
      return { app };
    },
    (config) => `${name} on http://localhost:${config.PORT} (tasks at POST /tasks/<task>), calls over ${config.TRANSPORT === 'nats' ? config.NATS_URL : 'TCP'}`,
  );
}
