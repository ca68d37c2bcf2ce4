import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { percent, ShownFace, years } from './output-shapes';

export function faceLabel(face: ShownFace): string {
  const parts = [face.gender && `${face.gender.label}`, face.age !== undefined && years(face.age), face.emotion?.label, face.race?.label].filter(Boolean);
  return parts.length ? parts.join(', ') : face.score !== undefined ? `face ${percent(face.score)}` : 'face';
}

/** A label with how sure the model was of it, when it says. */
function withShare(value?: { label: string; distribution?: Record<string, number> }): string {
  if (!value) return '';
  const share = value.distribution?.[value.label];
  return share === undefined ? value.label : `${value.label} (${percent(share)})`;
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
        <svg [attr.viewBox]="'0 0 ' + size.width + ' ' + size.height" aria-label="faces">
          @for (face of faces(); track $index) {
            <g class="face-box" [attr.data-label]="label(face)">
              <rect [attr.x]="face.box.x" [attr.y]="face.box.y" [attr.width]="face.box.width" [attr.height]="face.box.height" [attr.stroke-width]="stroke()" />
              @if (numbered()) {
                <!-- inside the box's corner: the label the job drew sits above it -->
                <text [attr.x]="face.box.x + stroke() * 2" [attr.y]="face.box.y + fontSize() + stroke()" [attr.font-size]="fontSize()">{{ $index + 1 }}</text>
              } @else {
                <text [attr.x]="labelX(face, $index)" [attr.y]="labelY(face)" [attr.font-size]="fontSize()">{{ $index + 1 }}. {{ label(face) }}</text>
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
                <td>{{ face.score !== undefined ? percent(face.score) : '' }}</td>
                <td>{{ face.age !== undefined ? years(face.age) : '' }}</td>
                <td>{{ face.gender ? face.gender.label + ' (' + percent(face.gender.confidence) + ')' : '' }}</td>
                <td data-emotion>{{ share(face.emotion) }}</td>
                <td>{{ share(face.race) }}</td>
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
  protected readonly years = years;
  protected readonly percent = percent;
  protected readonly share = withShare;

  /** A label starts at its box, moved left as far as needed to end inside the picture. */
  protected labelX(face: ShownFace, index: number): number {
    const width = this.size()?.width ?? 0;
    const textWidth = `${index + 1}. ${faceLabel(face)}`.length * this.fontSize() * 0.6;
    return Math.max(0, Math.min(face.box.x, width - textWidth));
  }

  /** Above its box; inside the box's top when the box touches the top of the picture. */
  protected labelY(face: ShownFace): number {
    const above = face.box.y - this.stroke() * 2;
    return above - this.fontSize() < 0 ? face.box.y + this.fontSize() + this.stroke() : above;
  }

  protected loaded(event: Event): void {
    const image = event.target as HTMLImageElement;
    this.size.set({ width: image.naturalWidth, height: image.naturalHeight });
  }
}
