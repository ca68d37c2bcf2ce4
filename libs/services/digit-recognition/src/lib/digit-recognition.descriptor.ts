import { IMAGE_CONTENT_TYPES, ServiceDescriptor } from '@aim/contracts';

export const DIGIT_RECOGNITION_DESCRIPTOR: ServiceDescriptor = {
  name: 'digit-recognition',
  version: '1.0.0',
  summary: 'Reads one handwritten or printed digit from an image of any size, dark on light or light on dark, and says when it is unsure (a CNN trained here on MNIST and digits drawn from 76 font families).',
  tags: ['ai', 'digits', 'vision'],
  usesAi: true,
  tasks: [
    {
      name: 'read',
      summary: 'The digit, its calibrated confidence, all ten probabilities and whether it is certain; `found: false` on a blank image.',
      inputs: [{ name: 'image', contentTypes: [...IMAGE_CONTENT_TYPES] }],
      params: { type: 'object', additionalProperties: false, properties: {} },
      outputs: [
        {
          name: 'digit',
          contentType: 'application/json',
          schema: {
            type: 'object',
            required: ['found', 'digit', 'confidence', 'probabilities', 'certain'],
            properties: {
              found: { type: 'boolean', description: 'false when the image holds no ink' },
              digit: { type: ['integer', 'null'], minimum: 0, maximum: 9 },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
              probabilities: { type: 'array', items: { type: 'number' }, description: 'index = digit; empty when nothing was found' },
              certain: { type: 'boolean', description: 'calibrated: readings marked certain were right 99.8% of the time on digits the model never saw; false means treat it as a guess' },
            },
          },
        },
      ],
    },
  ],
};
