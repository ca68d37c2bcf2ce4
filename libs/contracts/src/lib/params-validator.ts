import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Problem } from './errors';
import { JsonSchema } from './service-descriptor';

/**
 * Validates parameters against a task's or pipeline's JSON Schema, the same way on both sides of any
 * boundary. Defaults from the schema are filled in; each failure becomes a Problem with its path.
 */
export class ParamsValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();
  /** By schema text, least recently used first: a definition read again from the store is not compiled again. */
  private readonly byText = new Map<string, ValidateFunction>();

  constructor(private readonly maxSchemas = 1000) {
    this.ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    addFormats(this.ajv);
  }

  /** How many compiled schemas are kept (at most `maxSchemas`). */
  get cachedSchemas(): number {
    return this.byText.size;
  }

  /** Compiles each distinct schema once. Throws when the schema itself is not valid JSON Schema. */
  compile(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate) return validate;
    const text = JSON.stringify(schema);
    validate = this.byText.get(text);
    if (validate) {
      this.byText.delete(text);
    } else {
      validate = this.ajv.compile(schema);
      const oldest = this.byText.keys().next();
      if (this.byText.size >= this.maxSchemas && !oldest.done) {
        this.ajv.removeSchema(this.byText.get(oldest.value)!.schema as object);
        this.byText.delete(oldest.value);
      }
    }
    this.byText.set(text, validate);
    this.compiled.set(schema, validate);
    return validate;
  }

  /** Validates (and fills defaults into) `params` in place; answers the problems, empty when valid. */
  validate(schema: JsonSchema, params: Record<string, unknown>, basePath = 'params'): Problem[] {
    const validate = this.compile(schema);
    if (validate(params)) return [];
    return (validate.errors ?? []).map((error) => toProblem(error, basePath));
  }

  schemaProblems(schema: unknown, path: string): Problem[] {
    try {
      this.compile(schema as JsonSchema);
      return [];
    } catch (error) {
      return [{ path, message: `not a valid JSON Schema: ${(error as Error).message}` }];
    }
  }
}

function toProblem(error: ErrorObject, basePath: string): Problem {
  const pointer = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  const path = `${basePath}${pointer}`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      return { path: `${path}.${name}`, message: `unknown parameter "${name}"` };
    }
    case 'required': {
      const name = (error.params as { missingProperty: string }).missingProperty;
      return { path: `${path}.${name}`, message: `"${name}" is required` };
    }
    case 'enum':
      return { path, message: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}
