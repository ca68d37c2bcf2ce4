import type { ServiceHost } from './service-host';

/**
 * How calls reach the hosted services from outside this process: the remote binding's listener. In one
 * process there is none (the engine calls the hosts through the local TaskInvoker). It is opened once the
 * services are ready and before they are announced, so that an announced instance already takes calls.
 */
export abstract class TaskEntry {
  /**
   * Whether opening waits for a broker that may come later (NATS): then the process starts and answers
   * meanwhile, not ready. Otherwise (a TCP port) opening succeeds or fails at once, and a failure stops the start.
   */
  abstract readonly waitsForBroker: boolean;

  abstract open(hosts: ServiceHost[]): Promise<void>;
}
