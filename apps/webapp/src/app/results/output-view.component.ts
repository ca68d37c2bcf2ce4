import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { JsonPipe } from '@angular/common';
import type { ArtifactView } from '@aim/contracts';
import { DigitResultComponent } from './digit-result.component';
import { FaceOverlayComponent } from './face-overlay.component';
import { DigitReading, jsonOf, shapeOf, ShownFace } from './output-shapes';

/** One output, shown for what it is: images, faces over the photo, a digit, or JSON. */
@Component({
  selector: 'aim-output-view',
  imports: [JsonPipe, FaceOverlayComponent, DigitResultComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel output" [attr.data-output]="name()">
      <h3>{{ name() }}</h3>
      @switch (shape().kind) {
        @case ('images') {
          <div class="gallery">
            @for (url of images(); track url; let index = $index) {
              <figure class="result">
                <a [href]="url" target="_blank"><img [src]="url" [alt]="name()" class="result-image" /></a>
                <a class="button" [href]="url" [attr.download]="name() + (images().length > 1 ? '-' + index : '')" data-download>Download</a>
              </figure>
            }
          </div>
        }
        @case ('faces') {
          @if (photo()) {
            <aim-face-overlay [photo]="photo()!" [faces]="faces()" [numbered]="photoIsResult()" />
          }
        }
        @case ('digit') {
          <aim-digit-result [reading]="digit()!" />
        }
      }
      @if (json() !== undefined) {
        <details>
          <summary>JSON</summary>
          <pre>{{ json() | json }}</pre>
        </details>
        <a class="button" [href]="download()" [attr.download]="name() + '.json'">Download JSON</a>
      }
    </section>
  `,
})
export class OutputViewComponent {
  readonly name = input.required<string>();
  readonly output = input.required<ArtifactView | ArtifactView[]>();
  /** The picture to draw faces over: the job's output image when it made one, else its input. */
  readonly photo = input<string>();
  /** The picture is the job's own result (already labelled, or blurred), not the photo it was given. */
  readonly photoIsResult = input(false);

  /** The JSON of the output (a for-each output: the list of its values). */
  protected readonly json = computed(() => jsonOf(this.output()));
  protected readonly shape = computed(() => shapeOf(this.output()));

  protected readonly images = computed(() => (this.shape() as { urls?: string[] }).urls ?? []);
  protected readonly faces = computed(() => (this.shape() as { faces?: ShownFace[] }).faces ?? []);
  protected readonly digit = computed(() => (this.shape() as { reading?: DigitReading }).reading);
  protected readonly download = computed(() => `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(this.json(), null, 2))}`);
}
