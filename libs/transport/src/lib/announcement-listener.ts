import { Logger } from '@nestjs/common';
import { RegistryInbox } from '@aim/contracts';
import { ANNOUNCE_SUBJECT, MessageServer, parseAnnouncement } from './wire';

const logger = new Logger('AnnouncementListener');

/** The engine side: every announcement heard on the transport goes to the registry (no queue group: every engine hears every instance). */
export function listenForAnnouncements(server: MessageServer, inbox: RegistryInbox): void {
  server.addHandler(
    ANNOUNCE_SUBJECT,
    async (message: unknown) => {
      const announcement = parseAnnouncement(message);
      if (!announcement) {
        logger.warn(`an announcement without the shape of one was ignored: ${JSON.stringify(message)?.slice(0, 200)}`);
        return;
      }
      await inbox.announce(announcement);
    },
    true,
  );
}
