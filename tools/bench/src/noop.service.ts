import { Injectable, Module } from '@nestjs/common';
import { Artifact, ServiceDescriptor } from '@aim/contracts';
import { TaskHandler, TaskService } from '@aim/service-kit';

/** A task that does nothing, so that what a job costs is the engine's own work. */
@Injectable()
export class NoopService extends TaskService {
  readonly descriptor: ServiceDescriptor = {
    name: 'noop',
    version: '1.0.0',
    summary: 'does nothing',
    tags: ['bench'],
    usesAi: false,
    tasks: [
      {
        name: 'pass',
        summary: 'gives its input back',
        inputs: [{ name: 'data', contentTypes: ['application/json'] }],
        params: { type: 'object', additionalProperties: false, properties: {} },
        outputs: [{ name: 'data', contentType: 'application/json' }],
      },
    ],
  };

  readonly handlers: Record<string, TaskHandler> = {
    pass: async ({ inputs }) => ({ data: inputs['data'] as Artifact }),
  };
}

@Module({ providers: [NoopService], exports: [NoopService] })
export class NoopModule {}
