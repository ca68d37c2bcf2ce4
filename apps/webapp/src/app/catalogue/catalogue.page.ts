import { ChangeDetectionStrategy, Component, computed, inject, OnDestroy, OnInit, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { PipelineSummary, ServiceView } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { StatusBadgeComponent } from '../shared/status-badge.component';

const REFRESH_MS = 5000;

/** Services and pipelines with their live status, searchable by name, summary and tag. */
@Component({
  selector: 'aim-catalogue',
  imports: [RouterLink, FormsModule, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Catalogue</h1>
    <div class="toolbar">
      <input type="search" placeholder="Search services and pipelines" aria-label="search" [ngModel]="query()" (ngModelChange)="query.set($event)" />
      <div class="tags">
        @for (tag of tags(); track tag) {
          <button type="button" class="tag" [class.selected]="tag === selectedTag()" (click)="selectedTag.set(tag === selectedTag() ? '' : tag)">{{ tag }}</button>
        }
      </div>
    </div>
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    }
    @if (!loaded()) {
      <p class="visually-hidden" role="status">Loading the catalogue…</p>
    }
    <h2>Pipelines</h2>
    <div class="cards">
      @if (!loaded()) {
        @for (slot of skeletons; track slot) {<div class="card skeleton" aria-hidden="true"></div>}
      }
      @for (pipeline of shownPipelines(); track pipeline.id) {
        <a class="card" [routerLink]="['/pipelines', pipeline.id]" [attr.data-pipeline]="pipeline.id">
          <div class="card-head">
            <strong>{{ pipeline.name }}</strong>
            <aim-status [status]="pipeline.runnable ? 'available' : 'unavailable'" [label]="pipeline.runnable ? 'runnable' : 'not runnable'" />
          </div>
          <p>{{ pipeline.description }}</p>
          @if (!pipeline.runnable) {
            <p class="why">{{ pipeline.notRunnableReasons.join('; ') }}</p>
          }
          <div class="tags">@for (tag of pipeline.tags; track tag) {<span class="tag">{{ tag }}</span>}</div>
        </a>
      } @empty {
        @if (loaded()) {<p class="muted">No pipeline matches.</p>}
      }
    </div>
    <h2>Services</h2>
    <div class="cards">
      @if (!loaded()) {
        @for (slot of skeletons; track slot) {<div class="card skeleton" aria-hidden="true"></div>}
      }
      @for (service of shownServices(); track service.name) {
        <a class="card" [routerLink]="['/services', service.name]" [attr.data-service]="service.name">
          <div class="card-head">
            <strong>{{ service.name }}</strong>
            <aim-status [status]="service.status" />
          </div>
          <p>{{ service.summary }}</p>
          <p class="muted">
            {{ available(service) }} instance(s) · queue {{ queue(service) }} · {{ service.tasks.length }} task(s){{ service.usesAi ? ' · AI' : '' }}
          </p>
          <div class="tags">@for (tag of service.tags; track tag) {<span class="tag">{{ tag }}</span>}</div>
        </a>
      } @empty {
        @if (loaded()) {<p class="muted">No service matches.</p>}
      }
    </div>
  `,
})
export class CataloguePage implements OnInit, OnDestroy {
  private readonly api = inject(ApiService);
  protected readonly services = signal<ServiceView[]>([]);
  protected readonly pipelines = signal<PipelineSummary[]>([]);
  protected readonly error = signal('');
  protected readonly query = signal('');
  protected readonly selectedTag = signal('');
  /** Until the first answer: placeholder cards of the real ones' size, so nothing moves when they come. */
  protected readonly loaded = signal(false);
  protected readonly skeletons = [1, 2, 3, 4];
  private timer?: ReturnType<typeof setInterval>;

  protected readonly tags = computed(() => [...new Set([...this.services(), ...this.pipelines()].flatMap((item) => item.tags))].sort());
  protected readonly shownServices = computed(() => this.services().filter((s) => this.matches(s.name, s.summary, s.tags)));
  protected readonly shownPipelines = computed(() => this.pipelines().filter((p) => this.matches(p.name, `${p.id} ${p.description ?? ''}`, p.tags)));

  ngOnInit(): void {
    void this.load();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }

  protected available(service: ServiceView): number {
    return service.instances.filter((i) => i.available).length;
  }

  protected queue(service: ServiceView): number {
    return service.instances.reduce((sum, i) => sum + i.queueDepth + i.inFlight, 0);
  }

  private matches(name: string, text: string, tags: string[]): boolean {
    const query = this.query().trim().toLowerCase();
    const tag = this.selectedTag();
    return (!tag || tags.includes(tag)) && (!query || `${name} ${text} ${tags.join(' ')}`.toLowerCase().includes(query));
  }

  private async load(): Promise<void> {
    try {
      const [services, pipelines] = await Promise.all([this.api.client.services(), this.api.client.pipelines()]);
      this.services.set(services);
      this.pipelines.set(pipelines);
      this.loaded.set(true);
      this.error.set('');
    } catch (error) {
      this.error.set(describeError(error));
    }
  }
}
