import { ChangeDetectionStrategy, Component, computed, effect, inject, input, OnDestroy, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ArtifactView, JobStepView, JobView } from '@aim/contracts';
import { imageInputOf, resultPictureOf } from '../results/output-shapes';
import { OutputViewComponent } from '../results/output-view.component';
import { ApiService, describeError } from '../shared/api.service';
import { runFormOf } from '../shared/job-target';
import { StatusBadgeComponent } from '../shared/status-badge.component';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

/**
 * A job, live: its steps move as the server's events arrive; then its results, drawn. The job page
 * shows it whole; the run page shows it beside its form (`embedded`: what was given is in the form).
 */
@Component({
  selector: 'aim-job-view',
  imports: [RouterLink, StatusBadgeComponent, OutputViewComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    } @else if (!job()) {
      <p class="muted" [class.loading]="!embedded()" role="status">Loading the job…</p>
    }
    @if (job(); as job) {
      <div class="card-head">
        @if (embedded()) {
          <h2>Result</h2>
        } @else {
          <h1>Job <code>{{ job.id.slice(0, 8) }}</code></h1>
        }
        <aim-status [status]="job.status" />
      </div>
      <p>
        {{ pipelineName() }} · submitted {{ time(job.createdAt) }}
        @if (job.finishedAt) {
          · took {{ duration(job.createdAt, job.finishedAt) }}
        }
      </p>
      <p>
        @if (!finished()) {
          <button type="button" class="danger" (click)="cancel()">Cancel</button>
        }
        @if (!embedded()) {
          @if (rerunLink(); as link) {
            <a class="button" [routerLink]="link" [queryParams]="{ from: job.id }">Run again</a>
          }
          <a class="button" routerLink="/jobs">All jobs</a>
        } @else {
          <a class="button" [routerLink]="['/jobs', job.id]">Job page</a>
        }
      </p>
      @if (!embedded()) {
        <section class="asked" aria-label="what the job was given">
          <p data-params>
            Parameters:
            @if (paramsText(); as text) {<code>{{ text }}</code>} @else {<span class="muted">the defaults</span>}
          </p>
          @if (inputImage(); as input) {
            @if (resultPicture()) {
              <!-- A result picture may hide what the input shows (blurred faces): the input only on request. -->
              <details (toggle)="showInput.set($any($event.target).open)">
                <summary>The image it was given</summary>
                @if (showInput()) {<img class="input-image" [src]="input" alt="the image the job was given" />}
              </details>
            } @else {
              <figure class="input-figure"><img class="input-image" [src]="input" alt="the image the job was given" data-input-image /><figcaption class="muted">the image it was given</figcaption></figure>
            }
          }
        </section>
      }
      @if (job.error) {
        @if (job.status === 'cancelled') {
          <p class="notice" role="status" data-job-error>Cancelled.</p>
        } @else {
          <p class="error" role="alert" data-job-error>{{ job.error.message }}</p>
        }
      }
      <div class="table-scroll" tabindex="0" role="region" aria-label="steps">
        <table class="steps">
          <thead><tr><th>step</th><th>task</th><th>status</th><th>attempts</th><th>time</th><th>note</th></tr></thead>
          <tbody>
            @for (step of job.steps; track step.id) {
              <tr [attr.data-step]="step.id">
                <td>{{ step.id }}</td>
                <td>{{ step.service }}.{{ step.task }}</td>
                <td><aim-status [status]="step.status" /></td>
                <td>{{ step.attempts || '' }}</td>
                <td>{{ step.startedAt ? duration(step.startedAt, step.finishedAt) : '' }}</td>
                <td>{{ note(step) }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      @if (job.status === 'succeeded') {
        @if (!embedded()) {<h2>Results</h2>}
        @for (output of outputs(); track output.name) {
          <aim-output-view [name]="output.name" [output]="output.value" [photo]="photo()" [photoIsResult]="!!resultPicture()" />
        }
      }
    }
  `,
})
export class JobViewComponent implements OnDestroy {
  readonly id = input.required<string>();
  /** Shown beside the run form that made it: no heading of its own, no input or parameters again. */
  readonly embedded = input(false);
  private readonly api = inject(ApiService);
  protected readonly job = signal<JobView | undefined>(undefined);
  protected readonly error = signal('');
  private events?: EventSource;
  private readonly now = signal(Date.now());
  private ticker?: ReturnType<typeof setInterval>;

  protected readonly finished = computed(() => FINISHED.includes(this.job()?.status ?? ''));
  protected readonly outputs = computed(() => Object.entries(this.job()?.outputs ?? {}).map(([name, value]) => ({ name, value: value as ArtifactView | ArtifactView[] })));
  /** The picture results are drawn over: the job's own output image when it made one, else its input. */
  protected readonly resultPicture = computed(() => {
    const job = this.job();
    return job && resultPictureOf(job);
  });
  protected readonly photo = computed(() => this.resultPicture() ?? this.inputImage());
  protected readonly showInput = signal(false);
  protected readonly paramsText = computed(() => {
    const params = this.job()?.params ?? {};
    return Object.keys(params).length ? JSON.stringify(params) : '';
  });
  protected readonly inputImage = computed(() => {
    const job = this.job();
    const input = job && imageInputOf(job);
    return job && input ? this.api.client.inputUrl(job.id, input) : undefined;
  });
  protected readonly pipelineName = computed(() => {
    const id = this.job()?.pipelineId ?? '';
    return id.startsWith('task:') ? `task ${id.slice(5)}` : `pipeline ${id}`;
  });
  protected readonly rerunLink = computed(() => {
    const id = this.job()?.pipelineId;
    return id ? runFormOf(id) : undefined;
  });

  constructor() {
    // Another job (the run form submitted again): stop following the last one, show and follow this one.
    effect(() => {
      const id = this.id();
      untracked(() => void this.open(id));
    });
  }

  ngOnDestroy(): void {
    this.stop();
  }

  private async open(id: string): Promise<void> {
    this.stop();
    this.job.set(undefined);
    this.error.set('');
    this.showInput.set(false);
    await this.refresh();
    if (id === this.id() && !this.finished() && !this.error()) this.follow();
  }

  protected async cancel(): Promise<void> {
    try {
      this.job.set(await this.api.client.cancelJob(this.id()));
    } catch (error) {
      this.error.set(describeError(error));
    }
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleString();
  }

  protected duration(from: string, to?: string): string {
    const ms = (to ? Date.parse(to) : this.now()) - Date.parse(from);
    return ms < 1000 ? `${Math.max(0, ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  protected note(step: JobStepView): string {
    if (step.items) return `${step.items.filter((i) => i.status === 'succeeded').length} of ${step.items.length} items`;
    if (step.error) return step.error.message;
    return '';
  }

  private follow(): void {
    this.ticker = setInterval(() => this.now.set(Date.now()), 250);
    this.events = new EventSource(`/api/v1/jobs/${encodeURIComponent(this.id())}/events`);
    const onEvent = async (event: MessageEvent) => {
      const data = JSON.parse(event.data) as { type: string };
      await this.refresh();
      if (FINISHED.includes(data.type.replace('job.', ''))) this.stop();
    };
    for (const type of ['job.created', 'job.started', 'step.started', 'step.retrying', 'step.succeeded', 'step.failed', 'step.skipped', 'job.succeeded', 'job.failed', 'job.cancelled']) {
      this.events.addEventListener(type, (event) => void onEvent(event as MessageEvent));
    }
    this.events.onerror = () => {
      if (this.finished()) this.stop();
    };
  }

  private stop(): void {
    this.events?.close();
    clearInterval(this.ticker);
  }

  private async refresh(): Promise<void> {
    try {
      this.job.set(await this.api.client.job(this.id()));
    } catch (error) {
      this.error.set(describeError(error));
    }
  }
}
