import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { JobViewComponent } from './job-view.component';

/** A job on its own page (`/jobs/:id`): live while it runs, then its results drawn. */
@Component({
  selector: 'aim-job',
  imports: [JobViewComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<aim-job-view [id]="id()" />`,
})
export class JobPage {
  readonly id = input.required<string>();
}
