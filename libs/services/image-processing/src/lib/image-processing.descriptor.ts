import { ANY_IMAGE, IMAGE_CONTENT_TYPES, JsonSchema, ServiceDescriptor, TaskDescriptor } from '@aim/contracts';

const region: JsonSchema = {
  type: 'object',
  required: ['x', 'y', 'width', 'height'],
  properties: {
    x: { type: 'number', minimum: 0 },
    y: { type: 'number', minimum: 0 },
    width: { type: 'number', exclusiveMinimum: 0 },
    height: { type: 'number', exclusiveMinimum: 0 },
  },
};

function imageTask(
  name: string,
  summary: string,
  properties: Record<string, JsonSchema> = {},
  required: string[] = [],
  extraSchema: JsonSchema = {},
): TaskDescriptor {
  return {
    name,
    summary,
    inputs: [{ name: 'image', contentTypes: [...IMAGE_CONTENT_TYPES] }],
    params: { type: 'object', additionalProperties: false, required, properties, ...extraSchema },
    outputs: [{ name: 'image', contentType: ANY_IMAGE, description: 'same format as the input unless converted' }],
  };
}

export const IMAGE_PROCESSING_DESCRIPTOR: ServiceDescriptor = {
  name: 'image-processing',
  version: '1.0.0',
  summary: 'Blur, crop, resize, rotate, flip, greyscale, adjust, convert and annotate images (sharp/libvips).',
  tags: ['image', 'utility'],
  usesAi: false,
  tasks: [
    imageTask('blur', 'Gaussian blur of the whole image, or only of the given regions.', {
      sigma: { type: 'number', minimum: 0.3, maximum: 200, default: 12, description: 'strength of the blur (its cost grows with it)' },
      regions: { type: 'array', items: region, maxItems: 1000, description: 'blur only these boxes (pixels)' },
      padding: { type: 'number', minimum: 0, maximum: 2, default: 0, description: 'grows each region by this fraction of its size on every side, clamped to the image' },
    }),
    imageTask(
      'crop',
      'Cut out one region; `padding` grows it by a fraction of its size, clamped to the image.',
      { region, padding: { type: 'number', minimum: 0, maximum: 2, default: 0 } },
      ['region'],
    ),
    imageTask(
      'resize',
      'Scale to a width and/or height (at least one); never larger than the image unless `enlarge` is set.',
      {
        width: { type: 'integer', minimum: 1, maximum: 16384 },
        height: { type: 'integer', minimum: 1, maximum: 16384 },
        fit: { type: 'string', enum: ['cover', 'contain', 'fill', 'inside', 'outside'], default: 'inside' },
        enlarge: { type: 'boolean', default: false, description: 'allow a result larger than the image' },
      },
      [],
      { anyOf: [{ required: ['width'] }, { required: ['height'] }] },
    ),
    imageTask('rotate', 'Rotate clockwise by an angle in degrees; corners are filled with the background.', {
      angle: { type: 'number', minimum: -360, maximum: 360, default: 90 },
      background: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$', default: '#000000' },
    }),
    imageTask('flip', 'Mirror horizontally, vertically or both.', {
      direction: { type: 'string', enum: ['horizontal', 'vertical', 'both'], default: 'horizontal' },
    }),
    imageTask('greyscale', 'Turn the image grey.'),
    imageTask('adjust', 'Change brightness and contrast (1 keeps them as they are).', {
      brightness: { type: 'number', minimum: 0, maximum: 10, default: 1 },
      contrast: { type: 'number', minimum: 0, maximum: 10, default: 1 },
    }),
    imageTask(
      'convert',
      'Re-encode as PNG, JPEG or WebP.',
      {
        format: { type: 'string', enum: ['png', 'jpeg', 'webp'] },
        quality: { type: 'integer', minimum: 1, maximum: 100, default: 85 },
      },
      ['format'],
    ),
    imageTask('annotate', 'Draw boxes with labels over the image.', {
      boxes: {
        type: 'array',
        maxItems: 1000,
        default: [],
        items: {
          ...region,
          properties: {
            ...(region['properties'] as object),
            label: { type: 'string', maxLength: 200 },
            color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
          },
        },
      },
      lineWidth: { type: 'integer', minimum: 1, maximum: 50, default: 3 },
    }),
  ],
};
