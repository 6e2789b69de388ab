// Compare's table: each run's final loss, steps to reach a tolerance, distance to the nearest minimum and the step
// where it diverged.
import type { LossInfo } from '../../src/shared/engineApi';
import type { TraceData } from '../../src/shared/protocol';
import { formatNumber } from '../../src/shared/scenario';
import { create } from '../dom/elements';
import { swatch } from './legend';
import { runMetrics } from './metrics';
import { hasMetric, lastMetric, TEST_ACCURACY, TEST_LOSS } from './traceMetrics';

const COLUMNS = ['Run', 'Final loss', 'Steps to tolerance', 'Distance to minimum', 'Diverged at'];

export class MetricsTable {
  readonly element = create('table', { className: 'metrics' });

  render(traces: TraceData[], name: (index: number) => string, minima: LossInfo['minima'], tolerance: number): void {
    // Losses with a test split (networks): the last measured test loss and, classifying, test accuracy.
    const tested = [TEST_LOSS, TEST_ACCURACY].filter((column) => hasMetric(traces, column));
    const testNames = tested.map((column) => (column === TEST_LOSS ? 'Test loss' : 'Test accuracy'));
    const head = create('thead', {}, create('tr', {}, ...[...COLUMNS, ...testNames].map((column) => create('th', {}, column))));
    const cell = (value: number | undefined) => create('td', { className: 'number' }, value === undefined ? '—' : formatNumber(value));
    const rows = traces.map((trace, i) => {
      const metrics = runMetrics(trace, minima, tolerance);
      const runCell = create('td', { className: 'run-cell' }, swatch(i), ` ${name(i)}`);
      const testCells = tested.map((column) => cell(lastMetric(trace, column)));
      return create('tr', {}, runCell, cell(metrics.finalLoss), cell(metrics.stepsToTolerance), cell(metrics.distanceToMinimum), cell(metrics.divergedAt), ...testCells);
    });
    this.element.replaceChildren(head, create('tbody', {}, ...rows));
  }
}
