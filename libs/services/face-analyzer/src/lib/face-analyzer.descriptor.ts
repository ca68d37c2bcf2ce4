import { IMAGE_CONTENT_TYPES, JsonSchema, ServiceDescriptor } from '@aim/contracts';

export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export const RACES = ['white', 'black', 'asian', 'indian', 'other'] as const;

const distribution = (labels: readonly string[]): JsonSchema => ({
  type: 'object',
  required: ['label', 'distribution'],
  properties: {
    label: { type: 'string', enum: [...labels] },
    distribution: { type: 'object', properties: Object.fromEntries(labels.map((l) => [l, { type: 'number' }])) },
  },
});

export const ANALYSED_FACE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['box', 'score', 'age', 'gender', 'race', 'emotion'],
  properties: {
    box: { type: 'object', properties: { x: { type: 'integer' }, y: { type: 'integer' }, width: { type: 'integer' }, height: { type: 'integer' } } },
    score: { type: 'number' },
    age: { type: 'number', description: 'years (faceres)' },
    gender: { type: 'object', properties: { label: { type: 'string', enum: ['female', 'male'] }, confidence: { type: 'number' } } },
    race: distribution(RACES),
    emotion: distribution(EMOTIONS),
  },
};

export const FACE_ANALYZER_DESCRIPTOR: ServiceDescriptor = {
  name: 'face-analyzer',
  version: '1.0.0',
  summary: 'Age, gender, race and emotion of each face (Human: faceres, emotion; gear for race).',
  tags: ['ai', 'faces', 'vision'],
  usesAi: true,
  tasks: [
    {
      name: 'analyse',
      summary: 'Every face of a photo, or the one face of a face crop (`input: "face"`), with age, gender, race and emotion.',
      inputs: [{ name: 'image', contentTypes: [...IMAGE_CONTENT_TYPES] }],
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          input: { type: 'string', enum: ['photo', 'face'], default: 'photo', description: '"face": the image is one face crop' },
          minScore: { type: 'number', minimum: 0.2, maximum: 1, default: 0.5 },
          maxFaces: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
          offset: {
            type: 'object',
            additionalProperties: false,
            properties: { x: { type: 'number', minimum: 0 }, y: { type: 'number', minimum: 0 } },
            default: { x: 0, y: 0 },
            description: 'added to every box: where a crop sits in its photo',
          },
        },
      },
      outputs: [
        { name: 'faces', contentType: 'application/json', schema: { type: 'array', items: ANALYSED_FACE_SCHEMA } },
        { name: 'face', contentType: 'application/json', description: 'the best face (of a crop: its face), or null', schema: { oneOf: [ANALYSED_FACE_SCHEMA, { type: 'null' }] } },
      ],
    },
  ],
};
