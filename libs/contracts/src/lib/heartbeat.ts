import { ServiceDescriptor } from './service-descriptor';

/** Sent by every service instance on a timer. */
export interface Heartbeat {
  service: string;
  instanceId: string;
  version: string;
  /** Tasks waiting in the instance's work queue. */
  queueDepth: number;
  /** Tasks being worked on now. */
  inFlight: number;
  /** Tasks the instance works on at once. */
  concurrency: number;
  /** Tasks the instance accepts beyond `concurrency` before it answers QUEUE_FULL. */
  queueLimit: number;
  /** What the instance runs on, e.g. `{ mlBackend: 'wasm' }`. */
  runtime?: Record<string, string>;
  sentAt: string;
}

export interface Announcement {
  descriptor: ServiceDescriptor;
  heartbeat: Heartbeat;
}

/**
 * Where services report to: implemented by the engine's registry in one process, by a transport
 * client in the split deployment.
 */
export abstract class RegistryInbox {
  abstract announce(announcement: Announcement): void | Promise<void>;
  abstract heartbeat(heartbeat: Heartbeat): void | Promise<void>;
}
