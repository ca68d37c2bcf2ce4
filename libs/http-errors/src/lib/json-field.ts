import { ErrorCode, MarketplaceError } from '@aim/contracts';

/** A multipart field's JSON text, parsed; INVALID_JSON naming the field when it is not JSON. */
export function parseJsonField(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidJson, `field "${field}" is not valid JSON: ${(error as Error).message}`);
  }
}
