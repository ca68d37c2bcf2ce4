import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, OnInit, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Location } from '@angular/common';
import { RouterLink } from '@angular/router';
import type { PipelineDefinition, Problem } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { PipelineGraphComponent } from '../shared/pipeline-graph.component';
import { jsonPathLines, lineOf } from './json-lines';
import { applyReference, referenceSpotAt, referenceSuggestions, TaskPorts } from './reference-completion';

const STARTER: PipelineDefinition = {
  id: 'my-pipeline',
  name: 'My pipeline',
  inputs: { image: { contentTypes: ['image/jpeg', 'image/png', 'image/webp'] } },
  steps: [{ id: 'grey', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' } }],
  outputs: { image: 'grey.image' },
};

interface PlacedProblem extends Problem {
  line?: number;
}

/**
 * Write a pipeline as JSON, with a palette of tasks and completion of references (`inputs.image`,
 * `<step>.<output>`) inside a step's inputs or the outputs; see its problems at their lines and its
 * graph; save it (admin key).
 */
@Component({
  selector: 'aim-editor',
  imports: [FormsModule, RouterLink, PipelineGraphComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Pipeline editor</h1>
    <label class="field">
      <span class="field-name">Admin API key (kept in this browser only)</span>
      <input type="password" autocomplete="off" [ngModel]="api.adminKey()" (ngModelChange)="setKey($event)" aria-label="admin key" />
    </label>
    @if (palette().length) {
      <details class="palette panel" open>
        <summary>Add a step</summary>
        <p class="muted">Each adds a step calling that task, its inputs wired to the step before (or to the pipeline's inputs).</p>
        <div class="tags">
          @for (entry of palette(); track entry.label) {
            <button type="button" class="tag" (click)="addStep(entry.service, entry.task)" [title]="entry.summary">{{ entry.label }}</button>
          }
        </div>
      </details>
    }
    <div class="editor">
      <div class="editor-main">
        <div class="editor-text">
          <div class="gutter" aria-hidden="true">
            @for (n of lineNumbers(); track n) {
              <div [class.problem-line]="problemLines().has(n)">{{ n }}</div>
            }
          </div>
          <textarea
            #source
            spellcheck="false"
            aria-label="pipeline JSON"
            aria-describedby="reference-help"
            [ngModel]="text()"
            (ngModelChange)="edit($event)"
            (keyup)="follow(source)"
            (click)="follow(source)"
            (keydown)="completeWithKey($event)"
          ></textarea>
        </div>
        <div class="completions" aria-live="polite">
          <span id="reference-help" class="muted">Inside a step's input or an output, the references that fit are offered here (Ctrl+Space takes the first).</span>
          @for (reference of suggestions(); track reference) {
            <button type="button" class="tag" (click)="complete(reference)" [attr.data-reference]="reference">{{ reference }}</button>
          }
        </div>
      </div>
      <div class="editor-side">
        @if (syntaxError()) {
          <p class="error" role="alert">{{ syntaxError() }}</p>
        }
        @if (problems().length) {
          <ul class="problems" role="alert">
            @for (problem of problems(); track $index) {
              <li><span class="where">line {{ problem.line ?? '?' }} · {{ problem.path }}</span> {{ problem.message }}</li>
            }
          </ul>
        } @else if (checked() && !syntaxError()) {
          <p class="ok">No problem found.</p>
        }
        <p>
          <button type="button" (click)="validate()">Check</button>
          <button type="button" class="primary" (click)="save()">Save</button>
          @if (saved()) {
            <a class="button" [routerLink]="['/pipelines', saved()]">Open</a>
          }
        </p>
        @if (message()) {
          <p [class]="messageIsError() ? 'error' : 'ok'" role="status">{{ message() }}</p>
        }
        @if (definition(); as definition) {
          <div class="graph-box" tabindex="0" role="region" aria-label="pipeline graph"><aim-pipeline-graph [definition]="definition" /></div>
        }
      </div>
    </div>
  `,
})
export class EditorPage implements OnInit {
  /** Route parameter: the pipeline to edit; none for a new one. */
  readonly id = input<string>();
  /** Query parameter: a pipeline to start from, as a copy (built-in ones cannot be edited in place). */
  readonly from = input<string>();
  protected readonly palette = signal<{ label: string; service: string; task: string; summary: string; inputs: string[]; outputs: string[] }[]>([]);
  protected readonly api = inject(ApiService);
  private readonly location = inject(Location);
  protected readonly text = signal(JSON.stringify(STARTER, null, 2));
  protected readonly problems = signal<PlacedProblem[]>([]);
  protected readonly checked = signal(false);
  protected readonly message = signal('');
  protected readonly messageIsError = signal(false);
  protected readonly saved = signal('');
  private existing = false;
  private readonly source = viewChild.required<ElementRef<HTMLTextAreaElement>>('source');
  private readonly caret = signal(0);
  /** The last text that was valid JSON: what references are taken from while the person types. */
  private readonly lastGood = signal<Partial<PipelineDefinition>>(STARTER);
  private readonly ports = computed<TaskPorts>(() => new Map(this.palette().map((entry) => [`${entry.service}.${entry.task}`, entry])));
  private readonly spot = computed(() => referenceSpotAt(this.text(), this.caret()));
  protected readonly suggestions = computed(() => {
    const spot = this.spot();
    return spot ? referenceSuggestions(this.lastGood(), spot, this.ports()) : [];
  });

  private readonly parsed = computed<{ value?: PipelineDefinition; error?: string }>(() => {
    try {
      return { value: JSON.parse(this.text()) as PipelineDefinition };
    } catch (error) {
      return { error: `Not valid JSON: ${(error as Error).message}` };
    }
  });
  protected readonly definition = computed(() => {
    const value = this.parsed().value;
    return value && Array.isArray(value.steps) ? value : undefined;
  });
  protected readonly syntaxError = computed(() => this.parsed().error ?? '');
  protected readonly lineNumbers = computed(() => Array.from({ length: this.text().split('\n').length }, (_, i) => i + 1));
  protected readonly problemLines = computed(() => new Set(this.problems().map((p) => p.line)));

  async ngOnInit(): Promise<void> {
    void this.loadPalette();
    const source = this.id() ?? this.from();
    if (!source) return;
    try {
      const pipeline = await this.api.client.pipeline(source);
      if (this.id()) {
        this.edit(JSON.stringify(pipeline.definition, null, 2));
        this.existing = true;
      } else {
        const copy = { ...pipeline.definition, id: `${pipeline.definition.id}-copy`.slice(0, 64), name: `${pipeline.definition.name} (copy)` };
        this.edit(JSON.stringify(copy, null, 2));
      }
    } catch (error) {
      this.show(describeError(error), true);
    }
  }

  protected setKey(key: string): void {
    this.api.setAdminKey(key);
    // What was said about the key no longer holds once another is entered.
    if (this.messageIsError()) this.show('', false);
  }

  /** Appends a step stub calling `service.task`, each input wired to a matching output of the step before, else to the pipeline's input. */
  protected addStep(service: string, task: string): void {
    const definition = this.parsed().value;
    const entry = this.palette().find((candidate) => candidate.service === service && candidate.task === task);
    if (!definition || !Array.isArray(definition.steps) || !entry) {
      this.show('Fix the JSON first: a step is added to a definition that can be read.', true);
      return;
    }
    const ids = new Set(definition.steps.map((step) => step.id));
    let id = task;
    for (let n = 2; ids.has(id); n++) id = `${task}${n}`;
    const previous = definition.steps.at(-1);
    const previousOutputs = previous ? (this.palette().find((candidate) => candidate.service === previous.service && candidate.task === previous.task)?.outputs ?? []) : [];
    const firstInput = Object.keys(definition.inputs ?? {})[0] ?? 'image';
    const inputs = Object.fromEntries(
      entry.inputs.map((name) => [name, previous && previousOutputs.includes(name) ? `${previous.id}.${name}` : `inputs.${definition.inputs?.[name] ? name : firstInput}`]),
    );
    const steps = [...definition.steps, { id, service, task, inputs }];
    const outputs = entry.outputs.length ? { ...definition.outputs, [entry.outputs[0]]: `${id}.${entry.outputs[0]}` } : definition.outputs;
    this.edit(JSON.stringify({ ...definition, steps, outputs }, null, 2));
    this.show(`Added step “${id}” (${service} · ${task}).`, false);
  }

  private async loadPalette(): Promise<void> {
    const services = await this.api.client.services().catch(() => []);
    this.palette.set(
      services.flatMap((service) =>
        service.tasks.map((task) => ({
          label: `${service.name} · ${task.name}`,
          service: service.name,
          task: task.name,
          summary: task.summary,
          inputs: task.inputs.map((input) => input.name),
          outputs: task.outputs.map((output) => output.name),
        })),
      ),
    );
  }

  protected edit(text: string): void {
    this.text.set(text);
    this.checked.set(false);
    const value = this.parsed().value;
    if (value && typeof value === 'object') this.lastGood.set(value);
  }

  protected follow(source: HTMLTextAreaElement): void {
    this.caret.set(source.selectionStart);
  }

  protected completeWithKey(event: KeyboardEvent): void {
    const first = this.suggestions()[0];
    if (event.key === ' ' && event.ctrlKey && first) {
      event.preventDefault();
      this.complete(first);
    }
  }

  /** Puts the reference in the string at the caret, closes it, and gives the caret back after it. */
  protected complete(reference: string): void {
    const spot = this.spot();
    if (!spot) return;
    const { text, caret } = applyReference(this.text(), spot, reference);
    this.edit(text);
    const source = this.source().nativeElement;
    source.value = text;
    source.focus();
    source.setSelectionRange(caret, caret);
    this.caret.set(caret);
  }

  protected async validate(): Promise<boolean> {
    const value = this.parsed().value;
    if (!value) return false;
    try {
      const result = await this.api.client.validatePipeline(value);
      this.place(result.problems);
      this.checked.set(true);
      return result.valid;
    } catch (error) {
      this.show(describeError(error), true);
      return false;
    }
  }

  protected async save(): Promise<void> {
    const value = this.parsed().value;
    if (!value || !(await this.validate())) return;
    try {
      const saved = this.existing && value.id === this.id() ? await this.api.adminClient.replacePipeline(value.id, value) : await this.api.adminClient.createPipeline(value);
      this.saved.set(saved.definition.id);
      this.show(`Saved “${saved.definition.id}”.`, false);
      // The address follows the saved pipeline without reloading the page (and losing this message).
      if (!this.existing) this.location.replaceState(`/editor/${saved.definition.id}`);
      this.existing = true;
    } catch (error) {
      this.show(describeError(error), true);
    }
  }

  private place(problems: Problem[]): void {
    const lines = jsonPathLines(this.text());
    this.problems.set(problems.map((problem) => ({ ...problem, line: lineOf(lines, problem.path) })));
  }

  private show(message: string, isError: boolean): void {
    this.message.set(message);
    this.messageIsError.set(isError);
  }
}
