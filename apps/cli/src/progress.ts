import type { JobEvent, JobView } from '@aim/contracts';

const MARK: Record<string, string> = { pending: '·', running: '…', succeeded: '✓', failed: '✗', skipped: '-', cancelled: '∅' };

/** One line: a bar of the steps done, then each step with its state. Redrawn in place on a terminal. */
export class StepProgress {
  private readonly states = new Map<string, string>();
  private lastLine = '';

  constructor(
    job: JobView,
    private readonly out: NodeJS.WriteStream,
  ) {
    for (const step of job.steps) this.states.set(step.id, step.status);
  }

  update(event: JobEvent): void {
    if (event.step) {
      const state = { 'step.started': 'running', 'step.succeeded': 'succeeded', 'step.failed': 'failed', 'step.skipped': 'skipped', 'step.retrying': 'pending' }[event.type as string];
      if (state && !(event.item !== undefined && state === 'succeeded')) this.states.set(event.step, state);
    }
    this.draw(event.status);
  }

  finish(job: JobView): void {
    for (const step of job.steps) this.states.set(step.id, step.status);
    this.draw(job.status);
    this.out.write('\n');
  }

  private draw(status: string): void {
    const states = [...this.states.values()];
    const done = states.filter((s) => s !== 'pending' && s !== 'running').length;
    const width = 20;
    const filled = Math.round((done / Math.max(1, states.length)) * width);
    const steps = [...this.states.entries()].map(([id, state]) => `${id} ${MARK[state] ?? state}`).join('  ');
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${states.length} ${status}  ${steps}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`);
    else this.out.write(`${line}\n`);
  }
}
