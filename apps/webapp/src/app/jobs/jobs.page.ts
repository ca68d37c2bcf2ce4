import { ChangeDetectionStrategy, Component, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { JobPageView, JobStatus, JobView, PipelineSummary } from '@aim/contracts';
import { imageInputOf, shortResult, thumbnailOf } from '../results/output-shapes';
import { ApiService, describeError } from '../shared/api.service';
import { describeTarget, runFormOf } from '../shared/job-target';
import { StatusBadgeComponent } from '../shared/status-badge.component';

const PAGE = 20;
/** How often the list is read again: often while a listed job is unfinished, now and then otherwise. */
const REFRESH_BUSY_MS = 1500;
const REFRESH_IDLE_MS = 10_000;

/**
 * This browser's job history, each job with a picture and its result in a few words: filter by status
 * and pipeline, page through, cancel, delete (asked first), run again. It keeps itself current: a job
 * that ends shows as ended without a reload. On a phone each job is a card, its buttons in view.
 */
@Component({
  selector: 'aim-jobs',
  imports: [RouterLink, FormsModule, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Jobs</h1>
    <div class="toolbar">
      <label>Status
        <select [ngModel]="status()" (ngModelChange)="status.set($event); offset.set(0); load()" aria-label="status">
          <option value="">any</option>
          @for (s of statuses; track s) {<option [value]="s">{{ s }}</option>}
        </select>
      </label>
      <label>Pipeline
        <select class="choices" [ngModel]="pipelineId()" (ngModelChange)="pipelineId.set($event); offset.set(0); load()" aria-label="pipeline">
          <option value="">any</option>
          <optgroup label="Pipelines">
            @for (p of pipelines(); track p.id) {<option [value]="p.id">{{ p.name }}</option>}
          </optgroup>
          <optgroup label="Tasks run alone">
            @for (t of tasks(); track t.id) {<option [value]="t.id">{{ t.label }}</option>}
          </optgroup>
        </select>
      </label>
      <button type="button" (click)="load()">Refresh</button>
    </div>
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    }
    @if (page(); as page) {
      <div class="table-scroll" tabindex="0" role="region" aria-label="jobs">
        <table class="jobs">
          <thead><tr><th><span class="visually-hidden">picture</span></th><th>job</th><th>what</th><th>status</th><th>result</th><th>submitted</th><th>took</th><th><span class="visually-hidden">actions</span></th></tr></thead>
          <tbody>
            @for (job of page.items; track job.id) {
              <tr [attr.data-job]="job.id">
                <td class="job-thumb">
                  @if (thumbnail(job); as url) {<img [src]="url" alt="" width="48" height="48" loading="lazy" decoding="async" data-thumbnail />}
                </td>
                <td class="job-id"><a [routerLink]="['/jobs', job.id]" [attr.aria-label]="'job ' + job.id"><code [title]="job.id">{{ job.id.slice(0, 8) }}</code></a></td>
                <td class="job-what" data-what>{{ what(job) }}</td>
                <td class="job-status"><aim-status [status]="job.status" /></td>
                <td class="job-result" data-result>{{ result(job) }}</td>
                <td class="job-submitted">{{ time(job.createdAt) }}</td>
                <td class="job-took" data-took>{{ took(job) }}</td>
                <td class="actions">
                  @if (job.status === 'queued' || job.status === 'running') {
                    <button type="button" (click)="cancel(job)">Cancel</button>
                  } @else {
                    <button type="button" (click)="remove(job)" [attr.aria-label]="'delete job ' + job.id.slice(0, 8)">Delete</button>
                  }
                  <a class="button" [routerLink]="rerun(job)" [queryParams]="{ from: job.id }">Run again</a>
                </td>
              </tr>
            } @empty {
              <tr><td colspan="8" class="muted">No job yet.</td></tr>
            }
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" [disabled]="offset() === 0" (click)="offset.set(offset() - limit); load()">Newer</button>
        <span>{{ page.total ? offset() + 1 : 0 }}–{{ offset() + page.items.length }} of {{ page.total }}</span>
        <button type="button" [disabled]="offset() + limit >= page.total" (click)="offset.set(offset() + limit); load()">Older</button>
      </div>
    }
  `,
})
export class JobsPage implements OnInit {
  private readonly api = inject(ApiService);
  protected readonly statuses: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
  protected readonly limit = PAGE;
  protected readonly page = signal<JobPageView | undefined>(undefined);
  protected readonly pipelines = signal<PipelineSummary[]>([]);
  /** Every task of every service, as the pipeline id its jobs run under (`task:<service>.<task>`). */
  protected readonly tasks = signal<{ id: string; label: string }[]>([]);
  protected readonly status = signal<JobStatus | ''>('');
  protected readonly pipelineId = signal('');
  protected readonly offset = signal(0);
  protected readonly error = signal('');
  private timer?: ReturnType<typeof setTimeout>;
  /** How many loads were started: the number of the latest. */
  private loads = 0;
  private closed = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.closed = true;
      clearTimeout(this.timer);
    });
  }

  async ngOnInit(): Promise<void> {
    await this.load();
    this.pipelines.set(await this.api.client.pipelines().catch(() => []));
    const services = await this.api.client.services().catch(() => []);
    this.tasks.set(services.flatMap((service) => service.tasks.map((task) => ({ id: `task:${service.name}.${task.name}`, label: `${service.name} · ${task.name}` }))));
  }

  /**
   * The page for the filters as they are now. Loads overlap (a refresh on its timer, a filter changed
   * meanwhile): only the latest one's answer is shown, so an earlier, slower answer for other filters
   * cannot replace it.
   */
  protected async load(): Promise<void> {
    clearTimeout(this.timer);
    const ticket = ++this.loads;
    try {
      const page = await this.api.client.jobs({ status: this.status() || undefined, pipelineId: this.pipelineId() || undefined, limit: PAGE, offset: this.offset() });
      if (ticket !== this.loads) return;
      this.page.set(page);
      this.error.set('');
    } catch (error) {
      if (ticket !== this.loads) return;
      this.error.set(describeError(error));
    }
    if (this.closed) return;
    const busy = this.page()?.items.some((job) => job.status === 'queued' || job.status === 'running');
    this.timer = setTimeout(() => void this.load(), busy ? REFRESH_BUSY_MS : REFRESH_IDLE_MS);
  }

  /** A pipeline by its name; a task run alone as `service · task`. */
  protected what(job: JobView): string {
    return describeTarget(job.pipelineId, this.pipelines().find((pipeline) => pipeline.id === job.pipelineId)?.name);
  }

  /** What it made; the picture it was given only once it succeeded without making one (a digit read, faces counted). */
  protected thumbnail(job: JobView): string | undefined {
    const made = thumbnailOf(job);
    if (made || job.status !== 'succeeded') return made;
    const input = imageInputOf(job);
    return input && this.api.client.inputUrl(job.id, input);
  }

  protected readonly result = shortResult;

  /** From submitted to ended (or to now, while it runs), rounded for a person. */
  protected took(job: JobView): string {
    const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
    const ms = Math.max(0, end - Date.parse(job.createdAt));
    return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
  }

  protected async cancel(job: JobView): Promise<void> {
    await this.act(() => this.api.client.cancelJob(job.id));
  }

  protected async remove(job: JobView): Promise<void> {
    if (!confirm(`Delete job ${job.id.slice(0, 8)} (${this.what(job)}) and its files? This cannot be undone.`)) return;
    await this.act(() => this.api.client.deleteJob(job.id));
  }

  protected rerun(job: JobView): string[] {
    return runFormOf(job.pipelineId);
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleString();
  }

  private async act(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      await this.load();
    } catch (error) {
      this.error.set(describeError(error));
    }
  }
}
