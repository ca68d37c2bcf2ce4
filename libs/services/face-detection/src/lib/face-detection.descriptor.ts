import { IMAGE_CONTENT_TYPES, JsonSchema, ServiceDescriptor } from '@aim/contracts';

const point: JsonSchema = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };

export const FACE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['box', 'score', 'landmarks'],
  properties: {
    box: {
      type: 'object',
      required: ['x', 'y', 'width', 'height'],
      properties: { x: { type: 'integer' }, y: { type: 'integer' }, width: { type: 'integer' }, height: { type: 'integer' } },
    },
    score: { type: 'number', minimum: 0, maximum: 1 },
    landmarks: {
      type: 'object',
      description: 'pixel [x, y] of each point',
      properties: { leftEye: point, rightEye: point, nose: point, mouth: point, leftEar: point, rightEar: point },
    },
  },
};

export const FACE_DETECTION_DESCRIPTOR: ServiceDescriptor = {
  name: 'face-detection',
  version: '1.0.0',
  summary: 'Finds every face in a photo: box, score and six landmarks (BlazeFace, from Human).',
  tags: ['ai', 'faces', 'vision'],
  usesAi: true,
  tasks: [
    {
      name: 'detect',
      summary: 'Every face with its box, score and landmarks; an empty list when there is none.',
      inputs: [{ name: 'image', contentTypes: [...IMAGE_CONTENT_TYPES] }],
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          minScore: { type: 'number', minimum: 0.2, maximum: 1, default: 0.5, description: 'faces scored lower are left out' },
          maxFaces: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
        },
      },
      outputs: [{ name: 'faces', contentType: 'application/json', schema: { type: 'array', items: FACE_SCHEMA } }],
    },
  ],
};
