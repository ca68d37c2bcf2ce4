import { Announcement, ErrorCode, MarketplaceError, TaskRequest, TaskResult, WireError } from '@aim/contracts';

/** What the remote binding needs of a Nest transport server (NATS or TCP). */
export interface MessageServer {
  addHandler(pattern: string, callback: (data: unknown) => Promise<unknown>, isEventHandler?: boolean, extras?: Record<string, unknown>): void;
  listen(callback: (error?: unknown) => void): unknown;
  close(): unknown;
}

/** Starts a transport server; rejects when it cannot listen. */
export function listening(server: MessageServer): Promise<void> {
  return new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
}

/** The subject (NATS) or pattern (TCP) of one task of one service: `aim.task.<service>.<task>`. */
export const taskSubject = (service: string, task: string) => `aim.task.${service}.${task}`;

/** The queue group of a service's instances: each call goes to one of them. */
export const serviceQueue = (service: string) => `aim.service.${service}`;

/** Where the engine says a call was cancelled: every instance of the service hears it (no queue group). */
export const cancelSubject = (service: string) => `aim.cancel.${service}`;

/** Announcements (descriptor and heartbeat) of every instance, on every beat; every engine hears them all. */
export const ANNOUNCE_SUBJECT = 'aim.registry.announce';

/** A task call as it crosses: the request and how long the engine waits for it. */
export interface TaskCallMessage {
  /** Names the call in a cancel message. */
  callId: string;
  request: TaskRequest;
  /** The instance stops the work when this has passed: nobody waits for it any more. */
  timeoutMs: number;
}

/** The answer to a task call: its result, or the error as `{code, message, retryable, problems?}`. */
export type TaskReply = { result: TaskResult } | { error: WireError };

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rebuilds the error a reply carries; a code this side does not know is an internal error, not trusted. */
export function errorFromWire(wire: unknown): MarketplaceError {
  if (isObject(wire) && typeof wire['code'] === 'string' && KNOWN_CODES.has(wire['code']) && typeof wire['message'] === 'string') {
    return MarketplaceError.fromWire(wire as unknown as WireError);
  }
  return new MarketplaceError(ErrorCode.Internal, `a service answered an error this engine does not understand: ${JSON.stringify(wire)?.slice(0, 200)}`);
}

/** What a service instance accepts as a call: the shape checked before anything is done with it. */
export function parseTaskCall(message: unknown, service: string): TaskCallMessage {
  const invalid = (why: string) => new MarketplaceError(ErrorCode.InvalidParameters, `malformed task call for ${service}: ${why}`);
  if (!isObject(message) || !isObject(message['request'])) throw invalid('no request');
  const request = message['request'];
  if (request['service'] !== service) throw invalid(`it names service "${String(request['service'])}"`);
  if (typeof request['task'] !== 'string') throw invalid('no task');
  if (!isObject(request['inputs']) || !Object.values(request['inputs']).every((input) => isObject(input) && typeof input['contentType'] === 'string')) {
    throw invalid('inputs must be an object of {contentType, blobKey | value}');
  }
  if (request['params'] !== undefined && !isObject(request['params'])) throw invalid('params must be an object');
  if (typeof request['outputPrefix'] !== 'string') throw invalid('no outputPrefix');
  const timeoutMs = message['timeoutMs'];
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  if (typeof message['callId'] !== 'string') throw invalid('no callId');
  return { callId: message['callId'], request: request as unknown as TaskRequest, timeoutMs };
}

/** The call a cancel message names, if it has the shape of one. */
export function parseCancel(message: unknown): string | undefined {
  return isObject(message) && typeof message['callId'] === 'string' ? message['callId'] : undefined;
}

/** What the engine accepts as an announcement: enough shape for the registry never to trip over it. */
export function parseAnnouncement(message: unknown): Announcement | undefined {
  if (!isObject(message) || !isObject(message['descriptor']) || !isObject(message['heartbeat'])) return undefined;
  const { descriptor, heartbeat } = message;
  if (typeof descriptor['name'] !== 'string' || typeof descriptor['version'] !== 'string' || !Array.isArray(descriptor['tasks'])) return undefined;
  const wellFormedTask = (task: unknown) =>
    isObject(task) &&
    typeof task['name'] === 'string' &&
    isObject(task['params']) &&
    Array.isArray(task['inputs']) &&
    task['inputs'].every((input) => isObject(input) && typeof input['name'] === 'string' && Array.isArray(input['contentTypes'])) &&
    Array.isArray(task['outputs']) &&
    task['outputs'].every((output) => isObject(output) && typeof output['name'] === 'string' && typeof output['contentType'] === 'string');
  if (!descriptor['tasks'].every(wellFormedTask)) return undefined;
  if (heartbeat['service'] !== descriptor['name'] || typeof heartbeat['instanceId'] !== 'string') return undefined;
  for (const field of ['concurrency', 'queueLimit', 'queueDepth', 'inFlight']) if (typeof heartbeat[field] !== 'number') return undefined;
  return message as unknown as Announcement;
}
