/** A JSON Schema document (draft 2020-12 subset understood by Ajv). */
export type JsonSchema = Record<string, unknown>;

export interface TaskInputDescriptor {
  name: string;
  description?: string;
  /** Content types this input accepts, e.g. `image/jpeg`, `application/json`. */
  contentTypes: string[];
}

export interface TaskOutputDescriptor {
  name: string;
  description?: string;
  contentType: string;
  /** For `application/json` outputs: the shape of the value. */
  schema?: JsonSchema;
}

export interface TaskDescriptor {
  name: string;
  summary: string;
  inputs: TaskInputDescriptor[];
  /** JSON Schema of the task's parameters; `additionalProperties: false` makes unknown ones an error. */
  params: JsonSchema;
  outputs: TaskOutputDescriptor[];
}

export interface ServiceDescriptor {
  name: string;
  version: string;
  summary: string;
  tags: string[];
  usesAi: boolean;
  tasks: TaskDescriptor[];
}

export function findTask(descriptor: ServiceDescriptor, task: string): TaskDescriptor | undefined {
  return descriptor.tasks.find((t) => t.name === task);
}
