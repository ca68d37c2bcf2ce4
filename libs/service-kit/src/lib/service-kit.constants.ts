export const SERVICE_HOSTS = Symbol('SERVICE_HOSTS');
export const SERVICE_KIT_OPTIONS = Symbol('SERVICE_KIT_OPTIONS');
