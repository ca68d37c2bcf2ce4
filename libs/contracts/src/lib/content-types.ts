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
