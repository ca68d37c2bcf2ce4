import { JsonSchema } from './service-descriptor';

const ID = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';
const REFERENCE = '^[A-Za-z][\\w-]*\\.[A-Za-z][\\w-]*$';

/** The shape of a pipeline definition; semantic checks (services, types, cycles) come after. */
export const PIPELINE_DEFINITION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'inputs', 'steps', 'outputs'],
  properties: {
    id: { type: 'string', pattern: ID },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    tags: { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 20 },
    inputs: {
      type: 'object',
      propertyNames: { pattern: ID },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['contentTypes'],
        properties: {
          contentTypes: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[\\w.+-]+/[\\w.+*-]+$' } },
          description: { type: 'string', maxLength: 2000 },
        },
      },
    },
    params: { type: 'object', additionalProperties: true },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'service', 'task', 'inputs'],
        properties: {
          id: { type: 'string', pattern: ID, not: { const: 'inputs' } },
          service: { type: 'string', minLength: 1 },
          task: { type: 'string', minLength: 1 },
          inputs: { type: 'object', additionalProperties: { type: 'string', pattern: REFERENCE } },
          params: { type: 'object', additionalProperties: true },
          bind: { type: 'object', additionalProperties: { type: 'string', minLength: 1, maxLength: 2000 } },
          when: { type: 'string', minLength: 1, maxLength: 2000 },
          forEach: { type: 'string', minLength: 1, maxLength: 2000 },
          timeoutMs: { type: 'integer', minimum: 1, maximum: 3600000 },
          maxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
        },
      },
    },
    outputs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: ID },
      additionalProperties: { type: 'string', pattern: REFERENCE },
    },
  },
};
