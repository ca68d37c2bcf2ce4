import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { DigitReading, isUnsure } from './output-shapes';

/** The digit read, large, and its ten probabilities as bars. */
@Component({
  selector: 'aim-digit-result',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (reading().found) {
      <div class="digit">
        <div class="digit-value" data-digit>{{ reading().digit }}</div>
        <div class="muted">{{ (reading().confidence * 100).toFixed(1) }}% sure</div>
      </div>
      @if (unsure()) {
        <p class="notice" data-unsure>Unsure: this reading is a guess. Is the image one handwritten or printed digit, cropped close?</p>
      }
      <div class="bars" aria-label="probabilities">
        @for (p of reading().probabilities; track $index) {
          <div class="bar-row" [class.best]="$index === reading().digit">
            <span>{{ $index }}</span>
            <div class="bar"><div [style.width.%]="p * 100"></div></div>
            <span>{{ (p * 100).toFixed(1) }}%</span>
          </div>
        }
      </div>
    } @else {
      <p class="error">No digit found: the image looks blank.</p>
    }
  `,
})
export class DigitResultComponent {
  readonly reading = input.required<DigitReading>();
  protected readonly unsure = computed(() => isUnsure(this.reading()));
}
