export const ContentType = {
  Png: 'image/png',
  Jpeg: 'image/jpeg',
  Webp: 'image/webp',
  Json: 'application/json',
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export const IMAGE_CONTENT_TYPES: readonly string[] = [ContentType.Jpeg, ContentType.Png, ContentType.Webp];

export function isImageContentType(contentType: string): boolean {
  return contentType.startsWith('image/');
}

/** `image/*` in a descriptor means "an image whose format the run decides" (e.g. the input's own). */
export const ANY_IMAGE = 'image/*';

/** Whether a produced value of `actual` type satisfies a declared output type. */
export function matchesDeclaredType(actual: string, declared: string): boolean {
  return declared === ANY_IMAGE ? IMAGE_CONTENT_TYPES.includes(actual) : actual === declared;
}

/** Whether an output of the declared type can always feed an input that accepts `accepted`. */
export function outputFitsInput(declared: string, accepted: readonly string[]): boolean {
  if (accepted.includes(declared)) return true;
  return declared === ANY_IMAGE && IMAGE_CONTENT_TYPES.every((type) => accepted.includes(type));
}
