import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { PipelineDefinition } from '@aim/contracts';

interface Node {
  id: string;
  label: string;
  x: number;
  y: number;
  when?: string;
  forEach?: string;
  status?: string;
}

const WIDTH = 180;
const HEIGHT = 58;
const GAP_X = 50;
const GAP_Y = 24;
const NAMES = /\b([A-Za-z][\w-]*)\./g;

/** The steps of a pipeline as boxes in columns by depth, arrows from what each step reads. */
@Component({
  selector: 'aim-pipeline-graph',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg class="graph" [attr.viewBox]="'0 0 ' + layout().width + ' ' + layout().height" [attr.width]="layout().width" role="img" aria-label="pipeline graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#667" />
        </marker>
      </defs>
      @for (edge of layout().edges; track $index) {
        <path class="edge" [attr.d]="edge" marker-end="url(#arrow)" />
      }
      @for (node of layout().nodes; track node.id) {
        <g class="node" [attr.data-step]="node.id" [attr.transform]="'translate(' + node.x + ',' + node.y + ')'">
          <rect [attr.width]="w" [attr.height]="h" rx="8" [attr.class]="'step ' + (node.status ?? '')" />
          <text x="10" y="20" class="step-id">{{ node.id }}</text>
          <text x="10" y="38" class="step-task">{{ node.label }}</text>
          @if (node.forEach) {
            <text x="10" y="52" class="step-flag"><title>for each: {{ node.forEach }}</title>⟳ for each</text>
          }
          @if (node.when) {
            <text [attr.x]="node.forEach ? 90 : 10" y="52" class="step-flag"><title>when: {{ node.when }}</title>? when</text>
          }
        </g>
      }
    </svg>
  `,
})
export class PipelineGraphComponent {
  readonly definition = input.required<PipelineDefinition>();
  /** Step id → status, to colour a running job's steps. */
  readonly statuses = input<Record<string, string>>({});
  protected readonly w = WIDTH;
  protected readonly h = HEIGHT;

  protected readonly layout = computed(() => {
    const steps = this.definition().steps ?? [];
    const ids = new Set(steps.map((s) => s.id));
    const reads = new Map<string, Set<string>>();
    for (const step of steps) {
      const texts = [...Object.values(step.inputs ?? {}), step.when ?? '', step.forEach ?? '', ...Object.values(step.bind ?? {})];
      const found = new Set<string>();
      for (const text of texts) for (const match of String(text).matchAll(NAMES)) if (ids.has(match[1]) && match[1] !== step.id) found.add(match[1]);
      reads.set(step.id, found);
    }
    const depth = new Map<string, number>();
    const depthOf = (id: string, seen = new Set<string>()): number => {
      if (depth.has(id)) return depth.get(id)!;
      if (seen.has(id)) return 0; // a cycle: the validator reports it
      seen.add(id);
      const value = Math.max(0, ...[...(reads.get(id) ?? [])].map((dep) => depthOf(dep, seen) + 1));
      depth.set(id, value);
      return value;
    };
    const columns = new Map<number, string[]>();
    for (const step of steps) {
      const d = depthOf(step.id);
      columns.set(d, [...(columns.get(d) ?? []), step.id]);
    }
    const nodes = new Map<string, Node>();
    for (const step of steps) {
      const d = depth.get(step.id)!;
      const row = columns.get(d)!.indexOf(step.id);
      nodes.set(step.id, { id: step.id, label: `${step.service}.${step.task}`, x: 10 + d * (WIDTH + GAP_X), y: 10 + row * (HEIGHT + GAP_Y), when: step.when, forEach: step.forEach, status: this.statuses()[step.id] });
    }
    const edges: string[] = [];
    for (const [id, deps] of reads) {
      const to = nodes.get(id)!;
      for (const dep of deps) {
        const from = nodes.get(dep)!;
        const x1 = from.x + WIDTH;
        const y1 = from.y + HEIGHT / 2;
        const x2 = to.x;
        const y2 = to.y + HEIGHT / 2;
        edges.push(`M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2 - 2} ${y2}`);
      }
    }
    const maxDepth = Math.max(0, ...depth.values());
    const maxRows = Math.max(1, ...[...columns.values()].map((c) => c.length));
    return { nodes: [...nodes.values()], edges, width: 20 + (maxDepth + 1) * (WIDTH + GAP_X) - GAP_X, height: 20 + maxRows * (HEIGHT + GAP_Y) - GAP_Y };
  });
}
