// The inspector: the paused run's parameters, loss, gradient, optimizer state, step and Hessian eigenvalues at the
// step shown (asked of the host a moment after the step settles; only the newest answer is shown).
import type { InspectorData } from '../../src/shared/protocol';
import { formatNumber } from '../../src/shared/scenario';
import { create } from '../dom/elements';

/** Scrubbing asks for one step, once it rests this long (ms). */
const INSPECT_DELAY_MS = 30;

export class Inspector {
  readonly element = create('div', { className: 'inspector', hidden: true });
  private token = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ask: (run: number, step: number) => Promise<InspectorData>) {}

  /** Shows `run` at `step` shortly (a newer call replaces it). */
  inspectSoon(run: number, step: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.inspect(run, step), INSPECT_DELAY_MS);
  }

  /** Shows the run's values at a step. */
  async inspect(run: number, step: number): Promise<void> {
    const token = ++this.token;
    try {
      const data = await this.ask(run, step);
      if (token === this.token) this.render(data);
    } catch (error) {
      if (token === this.token) this.element.replaceChildren(create('div', { className: 'inspector-error', textContent: error instanceof Error ? error.message : String(error) }));
    }
  }

  private render(data: InspectorData): void {
    const rows: [string, number][] = [
      ...Object.entries(data.params),
      ['loss', data.loss],
      ['‖∇‖', data.gradNorm],
      ...Object.entries(data.grad).map(([p, v]): [string, number] => [`grad_${p}`, v]),
      ...Object.entries(data.state),
      ['lr', data.lr],
      ...Object.entries(data.effectiveStep ?? {}).map(([p, v]): [string, number] => [`Δ${p}`, v]),
      ...data.hessianEigenvalues.map((v, k): [string, number] => [`λ${k + 1}(H)`, v]),
    ];
    this.element.replaceChildren(
      create('h3', {}, `Inspector: ${data.label} at step ${data.step}`),
      create('table', { className: 'inspector-table' },
        ...rows.map(([name, value]) => create('tr', { className: 'inspector-row' },
          create('th', { textContent: name }),
          create('td', { textContent: formatNumber(value), title: String(value) }),
        )),
      ),
    );
  }
}
