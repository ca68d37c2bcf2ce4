import type { ServiceHost } from './service-host';

/**
 * How calls reach the hosted services from outside this process: the remote binding's listener. In one
 * process there is none (the engine calls the hosts through the local TaskInvoker). It is opened once the
 * services are ready and before they are announced, so that an announced instance already takes calls.
 */
export abstract class TaskEntry {
  abstract open(hosts: ServiceHost[]): Promise<void>;
}
