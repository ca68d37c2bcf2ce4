import { IMAGE_CONTENT_TYPES, PipelineDefinition } from '@aim/contracts';

const image = { contentTypes: [...IMAGE_CONTENT_TYPES], description: 'a JPEG, PNG or WebP photo' };

/** Seeded at every start; read-only through the API. */
export const BUILTIN_PIPELINES: PipelineDefinition[] = [
  {
    id: 'thumbnail',
    name: 'Make a thumbnail',
    description: 'Scales the image down to fit the requested width (and height, when given), keeping its format.',
    tags: ['image'],
    inputs: { image },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        width: { type: 'integer', minimum: 1, maximum: 4096, default: 256 },
        height: { type: 'integer', minimum: 1, maximum: 4096 },
      },
    },
    steps: [
      {
        id: 'resize',
        service: 'image-processing',
        task: 'resize',
        inputs: { image: 'inputs.image' },
        params: { fit: 'inside' },
        bind: { width: 'params.width', height: 'params.height' },
      },
    ],
    outputs: { thumbnail: 'resize.image' },
  },
  {
    id: 'web-image',
    name: 'Prepare for the web',
    description: 'Scales down to at most 1600 px wide, then converts to WebP.',
    tags: ['image'],
    inputs: { image },
    steps: [
      { id: 'resize', service: 'image-processing', task: 'resize', inputs: { image: 'inputs.image' }, params: { width: 1600, fit: 'inside' } },
      { id: 'convert', service: 'image-processing', task: 'convert', inputs: { image: 'resize.image' }, params: { format: 'webp', quality: 80 } },
    ],
    outputs: { image: 'convert.image' },
  },
];
