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

/** minScore as measured on the small-face set (`npm run bench -- faces`): see the README. */
export const DETECTION_DEFAULTS = { minFaceSize: 24, minScore: 0.67, maxFaces: 100 };

export const FACE_DETECTION_DESCRIPTOR: ServiceDescriptor = {
  name: 'face-detection',
  // 2: boxes run from eyebrows to chin (1.0's were grown 1.4 times and squared), faces down to 24 px.
  version: '2.0.0',
  summary: 'Finds every face in a photo, down to 24 px wide: box, score and six landmarks (BlazeFace over an image pyramid).',
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
          minFaceSize: {
            type: 'integer',
            minimum: 16,
            maximum: 1000,
            default: DETECTION_DEFAULTS.minFaceSize,
            description:
              'smallest face width searched for, in pixels of the photo with its longer side brought to 1920 at most; smaller is slower (24 takes about 3.5 times as long as 48)',
          },
          minScore: { type: 'number', minimum: 0.4, maximum: 1, default: DETECTION_DEFAULTS.minScore, description: 'faces scored lower are left out; lower finds more faces and more things that are not' },
          maxFaces: { type: 'integer', minimum: 1, maximum: 1000, default: DETECTION_DEFAULTS.maxFaces, description: 'at most this many faces, best scored first' },
        },
      },
      outputs: [{ name: 'faces', contentType: 'application/json', schema: { type: 'array', items: FACE_SCHEMA } }],
    },
  ],
};
