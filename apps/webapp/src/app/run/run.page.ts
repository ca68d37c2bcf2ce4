import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { MarketplaceApiError } from '@aim/client';
import type { JsonSchema, Problem } from '@aim/contracts';
import { JobViewComponent } from '../job/job-view.component';
import { ApiService, describeError } from '../shared/api.service';
import { SchemaFormComponent, SchemaFormState } from '../shared/schema-form.component';
import { cliCommand, curlCommand, RunRequest, typescriptSnippet } from './run-snippets';

interface InputSlot {
  name: string;
  contentTypes: string[];
}

/**
 * Pick or drop a file per input, fill the parameters, submit: the job runs live beside the form (below
 * it on a phone), and the form keeps what was given, ready to change one thing and run again.
 */
@Component({
  selector: 'aim-run',
  imports: [SchemaFormComponent, RouterLink, JobViewComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Run {{ title() }}</h1>
    <!-- All at once when loaded (the form, an earlier job's files, the result): nothing shown moves when the rest arrives. -->
    @if (loaded()) {
      @if (summary()) {
        <p>{{ summary() }}</p>
      }
      <div class="run-layout">
        <div class="run-form">
          <form novalidate (submit)="$event.preventDefault(); submit()">
            @for (slot of slots(); track slot.name) {
              @if (isFile(slot)) {
                <div
                  class="drop"
                  [class.over]="over() === slot.name"
                  [attr.data-input]="slot.name"
                  (dragover)="$event.preventDefault(); over.set(slot.name)"
                  (dragleave)="over.set('')"
                  (drop)="drop($event, slot.name)"
                >
                  <label class="drop-label" [for]="'file-' + slot.name"><strong>{{ slot.name }}</strong>: drop an image here or pick one ({{ slot.contentTypes.join(', ') }})</label>
                  <input type="file" [id]="'file-' + slot.name" [attr.name]="slot.name" [accept]="slot.contentTypes.join(',')" (change)="pick($event, slot.name)" />
                  @if (inputProblems()[slot.name]; as message) {
                    <small class="field-error" role="alert">{{ message }}</small>
                  }
                  @if (examples().length) {
                    <div class="examples">
                      <span class="muted">or try an example:</span>
                      @for (example of examples(); track example) {
                        <button type="button" class="example" (click)="useExample(slot.name, example)" [attr.aria-label]="'use example ' + example">
                          <img [src]="'/examples/' + example" alt="" width="48" height="48" loading="lazy" />
                        </button>
                      }
                    </div>
                  }
                  @if (previews()[slot.name]; as preview) {
                    <img class="preview" [src]="preview" alt="chosen image" />
                  }
                </div>
              } @else {
                <label class="field"><span class="field-name">{{ slot.name }} (JSON)</span><textarea rows="4" (input)="setJson(slot.name, $any($event.target).value)"></textarea></label>
              }
            }
            <h2>Parameters</h2>
            <aim-schema-form [schema]="schema()" [initial]="initialParams()" [problems]="fieldProblems()" (changed)="params.set($event); fieldProblems.set({})" />
            @if (error()) {
              <div class="error" role="alert">
                <p>{{ error() }}</p>
                @if (otherProblems().length) {
                  <ul class="problems">
                    @for (problem of otherProblems(); track $index) {<li><span class="where">{{ problem.path }}</span> {{ problem.message }}</li>}
                  </ul>
                }
              </div>
            }
            <button type="submit" class="primary" [disabled]="busy() || !params().valid">{{ busy() ? 'Submitting…' : 'Run' }}</button>
            <a [routerLink]="back()" class="button">Back</a>
          </form>
          <details class="snippets panel">
            <summary>Copy as curl, CLI or TypeScript</summary>
            <p class="muted">The same run, with the files chosen and the parameters filled in, from a terminal or a program (in the folder of the files).</p>
            @for (snippet of snippets(); track snippet.kind) {
              <h3>{{ snippet.label }}</h3>
              <pre [attr.data-snippet]="snippet.kind">{{ snippet.text }}</pre>
              <button type="button" (click)="copy(snippet.text, snippet.kind)">{{ copied() === snippet.kind ? 'Copied' : 'Copy ' + snippet.label }}</button>
            }
          </details>
        </div>
        <section class="run-result" [class.waiting]="!job()" aria-label="result" aria-live="polite">
          @if (job(); as job) {
            <aim-job-view [id]="job" [embedded]="true" />
          } @else {
            <p class="muted">The result appears here, live, once you run.</p>
          }
        </section>
      </div>
    } @else if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    } @else {
      <p class="muted loading" role="status">Loading the form…</p>
    }
  `,
})
export class RunPage implements OnInit {
  /** Route parameters: either `id` (a pipeline) or `service` and `task`. */
  readonly id = input<string>();
  readonly service = input<string>();
  readonly task = input<string>();
  /** Query parameter: a job to run again, with its image(s) and parameters. */
  readonly from = input<string>();
  /** Query parameter: the job this form last submitted, shown beside it (and its inputs, after a reload). */
  readonly job = input<string>();
  protected readonly initialParams = signal<Record<string, unknown>>({});
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  protected readonly slots = signal<InputSlot[]>([]);
  protected readonly schema = signal<JsonSchema | undefined>(undefined);
  protected readonly summary = signal('');
  protected readonly params = signal<SchemaFormState>({ value: {}, valid: true });
  protected readonly files = signal<Record<string, File>>({});
  protected readonly previews = signal<Record<string, string>>({});
  protected readonly values = signal<Record<string, unknown>>({});
  protected readonly error = signal('');
  /** The server's problems by where they are: a parameter (shown at its field), an input, or elsewhere. */
  protected readonly fieldProblems = signal<Record<string, string>>({});
  protected readonly inputProblems = signal<Record<string, string>>({});
  protected readonly otherProblems = signal<Problem[]>([]);
  protected readonly busy = signal(false);
  protected readonly over = signal('');
  protected readonly loaded = signal(false);
  /** Example files from the repository's own test data, served with the webapp. */
  protected readonly examples = signal<string[]>([]);
  protected readonly copied = signal('');
  protected readonly snippets = computed(() => {
    const request: RunRequest = {
      origin: location.origin,
      target: this.id() ? { pipeline: this.id()! } : { service: this.service()!, task: this.task()! },
      files: Object.fromEntries(Object.entries(this.files()).map(([name, file]) => [name, file.name])),
      values: this.values(),
      params: this.params().value,
    };
    return [
      { kind: 'curl', label: 'curl', text: curlCommand(request) },
      { kind: 'cli', label: 'CLI', text: cliCommand(request) },
      { kind: 'typescript', label: 'TypeScript', text: typescriptSnippet(request) },
    ];
  });
  protected readonly title = computed(() => (this.id() ? `pipeline “${this.id()}”` : `${this.service()} · ${this.task()}`));
  protected readonly back = computed(() => (this.id() ? ['/pipelines', this.id()] : ['/services', this.service()]));

  async ngOnInit(): Promise<void> {
    try {
      if (this.id()) {
        const pipeline = await this.api.client.pipeline(this.id()!);
        this.slots.set(Object.entries(pipeline.definition.inputs).map(([name, i]) => ({ name, contentTypes: i.contentTypes })));
        this.schema.set(pipeline.definition.params);
        this.summary.set(pipeline.description ?? '');
        this.examples.set(examplesFor(pipeline.services));
      } else {
        const service = await this.api.client.service(this.service()!);
        const task = service.tasks.find((t) => t.name === this.task());
        if (!task) throw new Error(`Service ${this.service()} has no task ${this.task()}.`);
        this.slots.set(task.inputs.map((i) => ({ name: i.name, contentTypes: i.contentTypes })));
        this.schema.set(task.params);
        this.summary.set(task.summary);
        this.examples.set(examplesFor([service.name]));
      }
      // An earlier job that is gone (deleted, another browser's) leaves the form usable, empty.
      const earlier = this.from() ?? this.job();
      if (earlier) await this.startFrom(earlier).catch((error) => this.error.set(`The earlier job's files could not be loaded: ${describeError(error)}`));
      this.loaded.set(true);
    } catch (error) {
      this.error.set(describeError(error));
    }
  }

  /** The files and parameters of an earlier job of this browser, as they were submitted. */
  private async startFrom(jobId: string): Promise<void> {
    const job = await this.api.client.job(jobId);
    this.initialParams.set(job.params);
    for (const slot of this.slots().filter((candidate) => this.isFile(candidate))) {
      const input = job.inputs[slot.name];
      if (!input) continue;
      const response = await fetch(this.api.client.inputUrl(job.id, slot.name));
      if (!response.ok) continue;
      const extension = input.contentType.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
      this.choose(slot.name, new File([await response.blob()], `${slot.name}.${extension}`, { type: input.contentType }));
    }
  }

  protected async useExample(name: string, example: string): Promise<void> {
    try {
      const response = await fetch(`/examples/${example}`);
      if (!response.ok) throw new Error(`The example ${example} could not be loaded (${response.status}).`);
      this.choose(name, new File([await response.blob()], example, { type: 'image/jpeg' }));
    } catch (error) {
      this.error.set(describeError(error));
    }
  }

  protected async copy(text: string, kind: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied.set(kind);
    } catch {
      this.error.set('The browser did not let the page copy; select the text and copy it.');
    }
  }

  protected isFile(slot: InputSlot): boolean {
    return !slot.contentTypes.includes('application/json');
  }

  protected pick(event: Event, name: string): void {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) this.choose(name, file);
  }

  protected drop(event: DragEvent, name: string): void {
    event.preventDefault();
    this.over.set('');
    const file = event.dataTransfer?.files?.[0];
    if (file) this.choose(name, file);
  }

  protected setJson(name: string, text: string): void {
    try {
      this.values.update((values) => ({ ...values, [name]: JSON.parse(text) }));
      this.error.set('');
    } catch {
      this.error.set(`Input “${name}” is not valid JSON.`);
    }
  }

  protected async submit(): Promise<void> {
    const missing = this.slots().filter((slot) => (this.isFile(slot) ? !this.files()[slot.name] : this.values()[slot.name] === undefined));
    if (missing.length) {
      this.error.set(`Choose ${missing.map((s) => `“${s.name}”`).join(' and ')} first.`);
      return;
    }
    this.busy.set(true);
    this.showProblems([]);
    this.error.set('');
    try {
      const submission = { files: this.files(), values: this.values(), params: this.params().value };
      const job = this.id() ? await this.api.client.submitJob(this.id()!, submission) : await this.api.client.runTask(this.service()!, this.task()!, submission);
      // The address names the job: a reload shows it again, Back returns to the form alone.
      await this.router.navigate([], { queryParams: { job: job.id } });
      if (matchMedia('(max-width: 999px)').matches) document.querySelector('.run-result')?.scrollIntoView({ block: 'start' });
    } catch (error) {
      const problems = error instanceof MarketplaceApiError ? error.problems : [];
      this.showProblems(problems);
      this.error.set(problems.length ? `${describeError(error)} See the fields marked below.` : describeError(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Each problem where the person can act on it: `params.width` at the width field, `inputs.image` at the image. */
  private showProblems(problems: Problem[]): void {
    const fields: Record<string, string> = {};
    const inputs: Record<string, string> = {};
    const other: Problem[] = [];
    for (const problem of problems) {
      const [, kind, name, rest] = /^(params|inputs)\.([^.[]+)(.*)$/.exec(problem.path) ?? [];
      const message = `${rest ? `${rest.replace(/^\./, '')}: ` : ''}${problem.message}`;
      if (kind === 'params') fields[name] = fields[name] ? `${fields[name]}; ${message}` : message;
      else if (kind === 'inputs') inputs[name] = message;
      else other.push(problem);
    }
    this.fieldProblems.set(fields);
    this.inputProblems.set(inputs);
    this.otherProblems.set(other);
  }

  private choose(name: string, file: File): void {
    this.files.update((files) => ({ ...files, [name]: file }));
    const previous = this.previews()[name];
    if (previous) URL.revokeObjectURL(previous);
    this.previews.update((previews) => ({ ...previews, [name]: file.type.startsWith('image/') ? URL.createObjectURL(file) : '' }));
    this.error.set('');
  }
}

/** Digits for what reads digits, photos with faces for the rest (the repository's own test data). */
function examplesFor(services: string[]): string[] {
  if (services.includes('digit-recognition')) return ['digit-3-03.jpg', 'digit-5-05.jpg', 'digit-7-07.jpg', 'digit-9-09.jpg'];
  return ['sample1.jpg', 'sample3.jpg', 'messi5.jpg'];
}
