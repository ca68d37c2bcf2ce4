import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';

export interface ShownFace {
  box: { x: number; y: number; width: number; height: number };
  score?: number;
  age?: number;
  gender?: { label: string; confidence: number };
  emotion?: { label: string };
  race?: { label: string };
}

export function faceLabel(face: ShownFace): string {
  const parts = [face.gender && `${face.gender.label}`, face.age !== undefined && `${Math.round(face.age)}`, face.emotion?.label, face.race?.label].filter(Boolean);
  return parts.length ? parts.join(', ') : face.score !== undefined ? `face ${Math.round(face.score * 100)}%` : 'face';
}

/**
 * The photo with a box drawn over each face, and a table of what was found. Over a picture the job drew
 * itself (labels already on it), each box carries only its row number.
 */
@Component({
  selector: 'aim-face-overlay',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="overlay">
      <img [src]="photo()" alt="photo" (load)="loaded($event)" />
      @if (size(); as size) {
        <svg [attr.viewBox]="'0 0 ' + size.width + ' ' + size.height" preserveAspectRatio="none" aria-label="faces">
          @for (face of faces(); track $index) {
            <g class="face-box" [attr.data-label]="label(face)">
              <rect [attr.x]="face.box.x" [attr.y]="face.box.y" [attr.width]="face.box.width" [attr.height]="face.box.height" [attr.stroke-width]="stroke()" />
              @if (numbered()) {
                <!-- inside the box's corner: the label the job drew sits above it -->
                <text [attr.x]="face.box.x + stroke() * 2" [attr.y]="face.box.y + fontSize() + stroke()" [attr.font-size]="fontSize()">{{ $index + 1 }}</text>
              } @else {
                <text [attr.x]="face.box.x" [attr.y]="face.box.y - stroke() * 2" [attr.font-size]="fontSize()">{{ label(face) }}</text>
              }
            </g>
          }
        </svg>
      }
    </div>
    @if (faces().length) {
      <div class="table-scroll" tabindex="0" role="region" aria-label="faces found">
        <table class="faces">
          <thead><tr><th>#</th><th>box</th><th>score</th><th>age</th><th>gender</th><th>emotion</th><th>race</th></tr></thead>
          <tbody>
            @for (face of faces(); track $index) {
              <tr>
                <td>{{ $index + 1 }}</td>
                <td>{{ face.box.x }}, {{ face.box.y }}, {{ face.box.width }}×{{ face.box.height }}</td>
                <td>{{ face.score !== undefined ? (face.score * 100).toFixed(0) + '%' : '' }}</td>
                <td>{{ face.age !== undefined ? face.age.toFixed(0) : '' }}</td>
                <td>{{ face.gender ? face.gender.label + ' (' + (face.gender.confidence * 100).toFixed(0) + '%)' : '' }}</td>
                <td>{{ face.emotion?.label ?? '' }}</td>
                <td>{{ face.race?.label ?? '' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    } @else {
      <p class="muted">No face found.</p>
    }
  `,
})
export class FaceOverlayComponent {
  readonly photo = input.required<string>();
  readonly faces = input.required<ShownFace[]>();
  /** Number the boxes instead of labelling them. */
  readonly numbered = input(false);
  protected readonly size = signal<{ width: number; height: number } | undefined>(undefined);
  protected readonly stroke = computed(() => Math.max(2, Math.round((this.size()?.width ?? 600) / 300)));
  protected readonly fontSize = computed(() => Math.max(12, Math.round((this.size()?.width ?? 600) / 45)));
  protected readonly label = faceLabel;

  protected loaded(event: Event): void {
    const image = event.target as HTMLImageElement;
    this.size.set({ width: image.naturalWidth, height: image.naturalHeight });
  }
}
