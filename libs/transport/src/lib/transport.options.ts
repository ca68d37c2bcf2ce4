import { Transport } from '@nestjs/microservices';
import type { ClientOptions } from '@nestjs/microservices';

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * How the split shape's processes reach each other. NATS: every process connects to the broker; a
 * service's instances share its work through a queue group. TCP: point to point; the engine listens for
 * announcements on `engine` and calls each service at its own endpoint (one connection per service, so
 * one instance each: NATS is the transport that spreads work).
 */
export type TransportOptions =
  | { kind: 'nats'; url: string }
  | { kind: 'tcp'; engine: Endpoint; services: Record<string, Endpoint> };

/** The `nats` connection settings every process uses: reconnect for ever, also when the first try fails. */
export function natsConnection(url: string) {
  return {
    servers: url.split(',').map((server) => server.trim()),
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
  };
}

/** A Nest client of the transport: to the broker, or to one TCP endpoint. */
export function clientOptions(transport: TransportOptions, endpoint?: Endpoint): ClientOptions {
  if (transport.kind === 'nats') return { transport: Transport.NATS, options: natsConnection(transport.url) };
  if (!endpoint) throw new Error('a TCP client needs an endpoint');
  return { transport: Transport.TCP, options: { host: endpoint.host, port: endpoint.port } };
}

/** Parses `name=host:port,name=host:port` (the TCP_SERVICES setting). */
export function parseEndpoints(text: string): Record<string, Endpoint> {
  const endpoints: Record<string, Endpoint> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9-]+)=([^:]+):(\d{1,5})$/.exec(part);
    if (!match || Number(match[3]) > 65535) throw new Error(`"${part}" is not name=host:port`);
    endpoints[match[1]] = { host: match[2], port: Number(match[3]) };
  }
  return endpoints;
}
