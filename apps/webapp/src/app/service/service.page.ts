import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import { JsonPipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import type { ServiceView } from '@aim/contracts';
import { ApiService, describeError } from '../shared/api.service';
import { StatusBadgeComponent } from '../shared/status-badge.component';

interface ParamRow {
  name: string;
  type: string;
  required: boolean;
  detail: string;
}

/** One service: its instances and, per task, inputs, parameters and outputs. */
@Component({
  selector: 'aim-service',
  imports: [RouterLink, StatusBadgeComponent, JsonPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    }
    @if (service(); as service) {
      <h1>{{ service.name }} <aim-status [status]="service.status" /></h1>
      <p>{{ service.summary }} <span class="muted">v{{ service.version }}</span></p>
      <h2>Instances</h2>
      <div class="table-scroll" tabindex="0" role="region" aria-label="instances">
        <table>
          <thead><tr><th>instance</th><th>status</th><th>busy</th><th>queue</th><th>runs on</th></tr></thead>
          <tbody>
            @for (instance of service.instances; track instance.id) {
              <tr>
                <td>{{ instance.id }}</td>
                <td><aim-status [status]="instance.available ? 'available' : 'unavailable'" /></td>
                <td>{{ instance.inFlight }} / {{ instance.concurrency }}</td>
                <td>{{ instance.queueDepth }} / {{ instance.queueLimit }}</td>
                <td>{{ instance.runtime ? (instance.runtime | json) : '-' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      <h2>Tasks</h2>
      @for (task of service.tasks; track task.name) {
        <section class="panel" [attr.data-task]="task.name">
          <div class="card-head">
            <h3>{{ task.name }}</h3>
            <a class="button" [routerLink]="['/run/task', service.name, task.name]">Run</a>
          </div>
          <p>{{ task.summary }}</p>
          <p><strong>Inputs:</strong> @for (i of task.inputs; track i.name) {<code>{{ i.name }}</code> ({{ i.contentTypes.join(', ') }}) }</p>
          <p><strong>Outputs:</strong> @for (o of task.outputs; track o.name) {<code>{{ o.name }}</code> ({{ o.contentType }}) }</p>
          @if (paramRows(task.params).length) {
            <div class="table-scroll" tabindex="0" role="region" aria-label="parameters">
              <table>
                <thead><tr><th>parameter</th><th>type</th><th>required</th><th>details</th></tr></thead>
                <tbody>
                  @for (row of paramRows(task.params); track row.name) {
                    <tr><td><code>{{ row.name }}</code></td><td>{{ row.type }}</td><td>{{ row.required ? 'yes' : '' }}</td><td>{{ row.detail }}</td></tr>
                  }
                </tbody>
              </table>
            </div>
          } @else {
            <p class="muted">No parameters.</p>
          }
        </section>
      }
    }
  `,
})
export class ServicePage implements OnInit {
  readonly name = input.required<string>();
  private readonly api = inject(ApiService);
  protected readonly service = signal<ServiceView | undefined>(undefined);
  protected readonly error = signal('');

  async ngOnInit(): Promise<void> {
    try {
      this.service.set(await this.api.client.service(this.name()));
    } catch (error) {
      this.error.set(describeError(error));
    }
  }

  protected paramRows(schema: Record<string, unknown>): ParamRow[] {
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    const required = (schema['required'] ?? []) as string[];
    return Object.entries(properties).map(([name, property]) => ({
      name,
      type: String(property['type'] ?? 'object'),
      required: required.includes(name),
      detail: [
        property['description'],
        property['enum'] ? `one of ${(property['enum'] as unknown[]).join(', ')}` : '',
        property['minimum'] !== undefined ? `≥ ${property['minimum']}` : '',
        property['maximum'] !== undefined ? `≤ ${property['maximum']}` : '',
        property['default'] !== undefined ? `default ${JSON.stringify(property['default'])}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    }));
  }
}
