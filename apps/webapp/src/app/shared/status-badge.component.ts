import { ChangeDetectionStrategy, Component, input } from '@angular/core';

@Component({
  selector: 'aim-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge ' + status()" [attr.data-status]="status()">{{ label() || status() }}</span>`,
})
export class StatusBadgeComponent {
  readonly status = input.required<string>();
  readonly label = input<string>('');
}
