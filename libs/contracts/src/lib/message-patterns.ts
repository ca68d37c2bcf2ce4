/** Message patterns of the split deployment; the one-process app calls the same code in-process. */
export const MessagePattern = {
  announce: 'registry.announce',
  heartbeat: 'registry.heartbeat',
  invoke: (service: string) => `service.${service}.invoke`,
} as const;
