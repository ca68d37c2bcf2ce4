import { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { Announcement, Heartbeat, RegistryInbox, ServiceDescriptor } from '@aim/contracts';
import { ANNOUNCE_SUBJECT } from './wire';

/**
 * The service side's RegistryInbox in the split shape: every beat goes out as a whole announcement
 * (descriptor and heartbeat), so an engine that starts (or restarts) after the services learns them at
 * their next beat, as it would learn a new instance.
 */
export class RemoteRegistryInbox extends RegistryInbox {
  private readonly descriptors = new Map<string, ServiceDescriptor>();

  constructor(private readonly client: ClientProxy) {
    super();
  }

  announce(announcement: Announcement): Promise<void> {
    this.descriptors.set(announcement.descriptor.name, announcement.descriptor);
    return this.send(announcement);
  }

  heartbeat(heartbeat: Heartbeat): Promise<void> {
    const descriptor = this.descriptors.get(heartbeat.service);
    if (!descriptor) return Promise.reject(new Error(`${heartbeat.service} beats before it was announced`));
    return this.send({ descriptor, heartbeat });
  }

  private send(announcement: Announcement): Promise<void> {
    return lastValueFrom(this.client.emit(ANNOUNCE_SUBJECT, announcement), { defaultValue: undefined });
  }
}
