// Compare's table: each run's final loss, steps to reach a tolerance, distance to the nearest minimum and the step
// where it diverged.
import type { LossInfo } from '../../src/shared/engineApi';
import type { TraceData } from '../../src/shared/protocol';
import { formatNumber } from '../../src/shared/scenario';
import { create } from '../dom/elements';
import { swatch } from './legend';
import { runMetrics } from './metrics';

const COLUMNS = ['Run', 'Final loss', 'Steps to tolerance', 'Distance to minimum', 'Diverged at'];

export class MetricsTable {
  readonly element = create('table', { className: 'metrics' });

  render(traces: TraceData[], name: (index: number) => string, minima: LossInfo['minima'], tolerance: number): void {
    const head = create('thead', {}, create('tr', {}, ...COLUMNS.map((column) => create('th', {}, column))));
    const cell = (value: number | undefined) => create('td', { className: 'number' }, value === undefined ? '—' : formatNumber(value));
    const rows = traces.map((trace, i) => {
      const metrics = runMetrics(trace, minima, tolerance);
      const runCell = create('td', { className: 'run-cell' }, swatch(i), ` ${name(i)}`);
      return create('tr', {}, runCell, cell(metrics.finalLoss), cell(metrics.stepsToTolerance), cell(metrics.distanceToMinimum), cell(metrics.divergedAt));
    });
    this.element.replaceChildren(head, create('tbody', {}, ...rows));
  }
}
