import { DynamicModule, Type } from '@nestjs/common';
import { TaskService } from './task-service';

/** What every service takes from the process that hosts it. */
export interface HostingSettings {
  /** Images with more pixels are refused with IMAGE_TOO_LARGE. */
  maxInputPixels: number;
  /** The TensorFlow.js backend of the AI services ('auto' | 'node' | 'wasm' | 'cpu'). */
  mlBackend: 'auto' | 'node' | 'wasm' | 'cpu';
  /** The repository root (or the image's /app), under which the service libraries keep their model files. */
  root: string;
}

/** A service ready to host: the module that provides it and its class. */
export interface HostedService {
  module: DynamicModule;
  service: Type<TaskService>;
}

/** How a service library is hosted: each library exports one, each process picks the ones it runs. */
export type ServiceHosting = (settings: HostingSettings) => HostedService;
