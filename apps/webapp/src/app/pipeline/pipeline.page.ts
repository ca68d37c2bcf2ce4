import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import { JsonPipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import type { PipelineView } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { PipelineGraphComponent } from '../shared/pipeline-graph.component';
import { StatusBadgeComponent } from '../shared/status-badge.component';

/** A pipeline drawn as a graph, whether it can run and why not, and its definition. */
@Component({
  selector: 'aim-pipeline',
  imports: [RouterLink, JsonPipe, PipelineGraphComponent, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    }
    @if (pipeline(); as pipeline) {
      <div class="card-head">
        <h1>{{ pipeline.name }}</h1>
        <aim-status [status]="pipeline.runnable ? 'available' : 'unavailable'" [label]="pipeline.runnable ? 'runnable' : 'not runnable'" />
      </div>
      <p>{{ pipeline.description }}</p>
      @if (!pipeline.runnable) {
        <p class="error">It cannot run now: {{ pipeline.notRunnableReasons.join('; ') }}.</p>
      }
      <p>
        <a class="button primary" [routerLink]="['/run/pipeline', pipeline.id]" [class.disabled]="!pipeline.runnable">Run this pipeline</a>
        @if (!pipeline.builtIn) {
          <a class="button" [routerLink]="['/editor', pipeline.id]">Edit</a>
        }
        <a class="button" routerLink="/editor" [queryParams]="{ from: pipeline.id }">{{ pipeline.builtIn ? 'Duplicate and edit' : 'Duplicate' }}</a>
      </p>
      <div class="graph-box" tabindex="0" role="region" aria-label="pipeline graph"><aim-pipeline-graph [definition]="pipeline.definition" /></div>
      <details>
        <summary>Definition (JSON)</summary>
        <pre>{{ pipeline.definition | json }}</pre>
      </details>
    }
  `,
})
export class PipelinePage implements OnInit {
  readonly id = input.required<string>();
  private readonly api = inject(ApiService);
  protected readonly pipeline = signal<PipelineView | undefined>(undefined);
  protected readonly error = signal('');

  async ngOnInit(): Promise<void> {
    try {
      this.pipeline.set(await this.api.client.pipeline(this.id()));
    } catch (error) {
      this.error.set(describeError(error));
    }
  }
}
