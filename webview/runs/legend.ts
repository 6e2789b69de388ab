// A run's swatch, name and status, as the Playground's legend and Compare's captions show them.
import type { TraceData } from '../../src/shared/protocol';
import { formatNumber } from '../../src/shared/scenario';
import { create } from '../dom/elements';
import { runColor } from '../dom/theme';
import { statusText } from './metrics';

/** The run's colour as a swatch. */
export function swatch(index: number): HTMLSpanElement {
  const element = create('span', { className: 'swatch' });
  element.style.backgroundColor = runColor(index);
  return element;
}

/** Swatch, name and status of run `index` (`trace` absent: not arrived yet). */
export function legendParts(index: number, name: string, trace: TraceData | undefined): HTMLElement[] {
  return [
    swatch(index),
    create('span', { className: 'legend-label', textContent: name }),
    create('span', { className: `legend-status status-${trace?.status ?? 'running'}`, textContent: trace ? statusText(trace, formatNumber) : '' }),
  ];
}

/** The Playground's legend: one item per run. */
export class Legend {
  readonly element = create('div', { className: 'legend' });

  render(traces: TraceData[], name: (index: number) => string): void {
    this.element.replaceChildren(...traces.map((trace, i) => create('div', { className: 'legend-item' }, ...legendParts(i, name(i), trace))));
  }
}
