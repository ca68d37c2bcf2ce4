import { LoadedEnvironment } from '@aim/config';
import { ServiceHosting, ServiceKitOptions } from '@aim/service-kit';
import { workspaceRoot } from './workspace-root';

/** The service kit's options for hosting these services in this process, configured from the environment. */
export function hostingOptions(hostings: readonly ServiceHosting[], config: LoadedEnvironment): ServiceKitOptions {
  const settings = { maxInputPixels: config.MAX_IMAGE_PIXELS, mlBackend: config.ML_BACKEND, root: workspaceRoot() };
  const hosted = hostings.map((host) => host(settings));
  return {
    imports: hosted.map((entry) => entry.module),
    services: hosted.map((entry) => entry.service),
    concurrency: config.SERVICE_CONCURRENCY,
    queueLimit: config.SERVICE_QUEUE_LIMIT,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
  };
}
