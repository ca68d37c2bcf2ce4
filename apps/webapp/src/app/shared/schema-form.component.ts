import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal } from '@angular/core';

interface Field {
  name: string;
  kind: 'enum' | 'boolean' | 'number' | 'integer' | 'string' | 'json';
  options: unknown[];
  required: boolean;
  description: string;
  minimum?: number;
  maximum?: number;
  placeholder: string;
}

export interface SchemaFormState {
  value: Record<string, unknown>;
  valid: boolean;
}

/**
 * A form generated from a JSON Schema object: one field per property, checked as the person types
 * (required, type, range, JSON syntax, and "at least one of" given as `anyOf` of `required` lists).
 * Empty fields are left out so that defaults apply.
 */
@Component({
  selector: 'aim-schema-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (field of fields(); track field.name) {
      <label class="field" [attr.data-param]="field.name">
        <span class="field-name">{{ field.name }}@if (field.required) {<b title="required">*</b>}</span>
        @switch (field.kind) {
          @case ('enum') {
            <select [value]="text(field.name)" (change)="set(field.name, $any($event.target).value)">
              <option value="">(default)</option>
              @for (option of field.options; track $index) {
                <option [value]="option">{{ option }}</option>
              }
            </select>
          }
          @case ('boolean') {
            <select [value]="text(field.name)" (change)="set(field.name, $any($event.target).value)">
              <option value="">(default)</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          }
          @case ('json') {
            <textarea rows="3" [placeholder]="field.placeholder" [value]="text(field.name)" (input)="set(field.name, $any($event.target).value)"></textarea>
          }
          @default {
            <input
              [type]="field.kind === 'string' ? 'text' : 'number'"
              [attr.min]="field.minimum"
              [attr.max]="field.maximum"
              [attr.step]="field.kind === 'integer' ? 1 : 'any'"
              [placeholder]="field.placeholder"
              [value]="text(field.name)"
              (input)="set(field.name, $any($event.target).value)"
            />
          }
        }
        @if (field.description) {
          <small class="muted">{{ field.description }}</small>
        }
        @if (errors()[field.name] || problems()[field.name]; as message) {
          <small class="field-error" role="alert">{{ message }}</small>
        }
      </label>
    } @empty {
      <p class="muted">No parameters.</p>
    }
    @if (missingAlternative(); as message) {
      <p class="field-error" role="alert" data-any-of>{{ message }}</p>
    }
  `,
})
export class SchemaFormComponent {
  readonly schema = input<Record<string, unknown> | undefined>(undefined);
  /** What the server found wrong, by parameter name (from `problems[].path`), shown at its field. */
  readonly problems = input<Record<string, string>>({});
  /** Values to start from (a job run again), by parameter name. */
  readonly initial = input<Record<string, unknown>>({});
  readonly changed = output<SchemaFormState>();
  private readonly texts = signal<Record<string, string>>({});

  protected readonly fields = computed<Field[]>(() => {
    const schema = this.schema() ?? {};
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    const required = (schema['required'] ?? []) as string[];
    return Object.entries(properties).map(([name, p]) => {
      const type = Array.isArray(p['type']) ? p['type'][0] : p['type'];
      const kind: Field['kind'] = p['enum'] ? 'enum' : type === 'boolean' ? 'boolean' : type === 'number' ? 'number' : type === 'integer' ? 'integer' : type === 'string' ? 'string' : 'json';
      const fallback = p['default'] !== undefined ? `default: ${JSON.stringify(p['default'])}` : kind === 'json' ? `JSON, e.g. ${JSON.stringify(exampleOf(p))}` : '';
      return {
        name,
        kind,
        options: (p['enum'] as unknown[]) ?? [],
        required: required.includes(name),
        description: String(p['description'] ?? ''),
        minimum: p['minimum'] as number | undefined,
        maximum: p['maximum'] as number | undefined,
        placeholder: fallback,
      };
    });
  });

  private readonly parsed = computed(() => {
    const value: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const field of this.fields()) {
      const text = (this.texts()[field.name] ?? '').trim();
      if (!text) {
        if (field.required) errors[field.name] = 'Required.';
        continue;
      }
      if (field.kind === 'number' || field.kind === 'integer') {
        const number = Number(text);
        if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) errors[field.name] = `Must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}.`;
        else if (field.minimum !== undefined && number < field.minimum) errors[field.name] = `Must be at least ${field.minimum}.`;
        else if (field.maximum !== undefined && number > field.maximum) errors[field.name] = `Must be at most ${field.maximum}.`;
        else value[field.name] = number;
      } else if (field.kind === 'boolean') {
        value[field.name] = text === 'true';
      } else if (field.kind === 'json') {
        try {
          value[field.name] = JSON.parse(text);
        } catch {
          errors[field.name] = 'Not valid JSON.';
        }
      } else {
        value[field.name] = text;
      }
    }
    return { value, errors };
  });

  protected readonly errors = computed(() => this.parsed().errors);

  /** `anyOf: [{ required: [a] }, { required: [b, c] }]`: the lists of fields of which one must be filled in. */
  private readonly alternatives = computed(() => {
    const anyOf = this.schema()?.['anyOf'];
    if (!Array.isArray(anyOf)) return [];
    const lists = anyOf.map((branch) => (branch && typeof branch === 'object' && Array.isArray(branch['required']) ? (branch['required'] as string[]) : undefined));
    return lists.every((list) => list !== undefined) ? (lists as string[][]) : [];
  });

  protected readonly missingAlternative = computed(() => {
    const alternatives = this.alternatives();
    const value = this.parsed().value;
    if (!alternatives.length || alternatives.some((names) => names.every((name) => value[name] !== undefined))) return '';
    return `Fill in ${alternatives.map((names) => names.join(' and ')).join(' or ')} (at least one).`;
  });

  constructor() {
    effect(() => {
      const initial = this.initial();
      const texts = Object.fromEntries(Object.entries(initial).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
      if (Object.keys(texts).length) this.texts.set(texts);
    });
    effect(() => {
      const { value, errors } = this.parsed();
      this.changed.emit({ value, valid: Object.keys(errors).length === 0 && !this.missingAlternative() });
    });
  }

  protected text(name: string): string {
    return this.texts()[name] ?? '';
  }

  protected set(name: string, text: string): void {
    this.texts.update((texts) => ({ ...texts, [name]: text }));
  }
}

/** A value of the shape a schema describes, to show what to type: a list where a list is needed. */
export function exampleOf(schema: Record<string, unknown>, depth = 0): unknown {
  if (schema['examples'] && Array.isArray(schema['examples']) && schema['examples'].length) return schema['examples'][0];
  if (schema['default'] !== undefined) return schema['default'];
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  if (depth > 3) return null;
  if (type === 'array') return [exampleOf((schema['items'] ?? {}) as Record<string, unknown>, depth + 1)];
  if (type === 'object' || schema['properties']) {
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleOf(property, depth + 1)]));
  }
  if (type === 'integer' || type === 'number') return typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
  if (type === 'boolean') return false;
  if (schema['enum'] && Array.isArray(schema['enum'])) return schema['enum'][0];
  return type === 'string' ? '' : null;
}
