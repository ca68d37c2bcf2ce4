import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { JobPageView, JobStatus, JobView, PipelineSummary } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { StatusBadgeComponent } from '../shared/status-badge.component';

const PAGE = 20;

/** This browser's job history: filter by status and pipeline, page through, cancel, delete, run again. */
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
        <select [ngModel]="pipelineId()" (ngModelChange)="pipelineId.set($event); offset.set(0); load()" aria-label="pipeline">
          <option value="">any</option>
          @for (p of pipelines(); track p.id) {<option [value]="p.id">{{ p.name }}</option>}
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
          <thead><tr><th>job</th><th>pipeline</th><th>status</th><th>submitted</th><th><span class="visually-hidden">actions</span></th></tr></thead>
          <tbody>
            @for (job of page.items; track job.id) {
              <tr [attr.data-job]="job.id">
                <td><a [routerLink]="['/jobs', job.id]"><code>{{ job.id.slice(0, 8) }}</code></a></td>
                <td>{{ job.pipelineId }}</td>
                <td><aim-status [status]="job.status" /></td>
                <td>{{ time(job.createdAt) }}</td>
                <td class="actions">
                  @if (job.status === 'queued' || job.status === 'running') {
                    <button type="button" (click)="cancel(job)">Cancel</button>
                  } @else {
                    <button type="button" (click)="remove(job)">Delete</button>
                  }
                  <a class="button" [routerLink]="rerun(job)">Run again</a>
                </td>
              </tr>
            } @empty {
              <tr><td colspan="5" class="muted">No job yet.</td></tr>
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
  protected readonly status = signal<JobStatus | ''>('');
  protected readonly pipelineId = signal('');
  protected readonly offset = signal(0);
  protected readonly error = signal('');

  async ngOnInit(): Promise<void> {
    await this.load();
    this.pipelines.set(await this.api.client.pipelines().catch(() => []));
  }

  protected async load(): Promise<void> {
    try {
      this.page.set(await this.api.client.jobs({ status: this.status() || undefined, pipelineId: this.pipelineId() || undefined, limit: PAGE, offset: this.offset() }));
      this.error.set('');
    } catch (error) {
      this.error.set(describeError(error));
    }
  }

  protected async cancel(job: JobView): Promise<void> {
    await this.act(() => this.api.client.cancelJob(job.id));
  }

  protected async remove(job: JobView): Promise<void> {
    await this.act(() => this.api.client.deleteJob(job.id));
  }

  protected rerun(job: JobView): string[] {
    return job.pipelineId.startsWith('task:') ? ['/run/task', ...job.pipelineId.slice(5).split('.')] : ['/run/pipeline', job.pipelineId];
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
