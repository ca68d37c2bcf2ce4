import { Injectable, Module } from '@nestjs/common';
import { Artifact, ServiceDescriptor } from '@aim/contracts';
import { TaskHandler, TaskService } from '@aim/service-kit';

/** Tasks that do nothing, so that what a job (or a step over a transport) costs is the product's own work. */
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
      {
        name: 'file',
        summary: 'gives a copy of its file back',
        inputs: [{ name: 'data', contentTypes: ['application/octet-stream'] }],
        params: { type: 'object', additionalProperties: false, properties: {} },
        outputs: [{ name: 'data', contentType: 'application/octet-stream' }],
      },
    ],
  };

  readonly handlers: Record<string, TaskHandler> = {
    pass: async ({ inputs }) => ({ data: inputs['data'] as Artifact }),
    // A copy, so that the output is written as a file of its own.
    file: async ({ inputs }) => ({ data: { contentType: 'application/octet-stream', data: Buffer.from((inputs['data'] as { data: Uint8Array }).data) } }),
  };
}

@Module({ providers: [NoopService], exports: [NoopService] })
export class NoopModule {}
