import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Location } from '@angular/common';
import { RouterLink } from '@angular/router';
import type { PipelineDefinition, Problem } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { PipelineGraphComponent } from '../shared/pipeline-graph.component';
import { jsonPathLines, lineOf } from './json-lines';

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

/** Write a pipeline as JSON, see its problems at their lines and its graph, save it (admin key). */
@Component({
  selector: 'aim-editor',
  imports: [FormsModule, RouterLink, PipelineGraphComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Pipeline editor</h1>
    <label class="field">
      <span class="field-name">Admin API key (kept in this browser only)</span>
      <input type="password" autocomplete="off" [ngModel]="api.adminKey()" (ngModelChange)="api.setAdminKey($event)" aria-label="admin key" />
    </label>
    <div class="editor">
      <div class="editor-text">
        <div class="gutter" aria-hidden="true">
          @for (n of lineNumbers(); track n) {
            <div [class.problem-line]="problemLines().has(n)">{{ n }}</div>
          }
        </div>
        <textarea spellcheck="false" aria-label="pipeline JSON" [ngModel]="text()" (ngModelChange)="edit($event)"></textarea>
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
  protected readonly api = inject(ApiService);
  private readonly location = inject(Location);
  protected readonly text = signal(JSON.stringify(STARTER, null, 2));
  protected readonly problems = signal<PlacedProblem[]>([]);
  protected readonly checked = signal(false);
  protected readonly message = signal('');
  protected readonly messageIsError = signal(false);
  protected readonly saved = signal('');
  private existing = false;

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
    if (!this.id()) return;
    try {
      const pipeline = await this.api.client.pipeline(this.id()!);
      this.text.set(JSON.stringify(pipeline.definition, null, 2));
      this.existing = true;
    } catch (error) {
      this.show(describeError(error), true);
    }
  }

  protected edit(text: string): void {
    this.text.set(text);
    this.checked.set(false);
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
