// A run's measured metrics (RunTrace.metrics: rows of test loss, test accuracy, train accuracy; NaN where not
// measured) read per column (pure).
import { METRICS_WIDTH } from '../../src/shared/engineApi';
import type { TraceData } from '../../src/shared/protocol';
import { stepOfRow } from './traces';

export const TEST_LOSS = 0;
export const TEST_ACCURACY = 1;
export const TRAIN_ACCURACY = 2;

/** [step, value] of one metrics column at the rows where it was measured (finite). */
export function metricPoints(trace: TraceData, column: number): [number, number][] {
  const metrics = trace.metrics;
  const points: [number, number][] = [];
  if (!metrics) return points;
  const rows = Math.min(trace.rowCount, Math.floor(metrics.length / METRICS_WIDTH));
  for (let row = 0; row < rows; row++) {
    const value = metrics[row * METRICS_WIDTH + column];
    if (Number.isFinite(value)) points.push([stepOfRow(trace, row), value]);
  }
  return points;
}

/** Whether any run measured this metrics column (a test split; accuracies: a classifying network). */
export function hasMetric(traces: TraceData[], column: number): boolean {
  return traces.some((trace) => metricPoints(trace, column).length > 0);
}

/** The column's last measured value (the engine always measures the last row), or undefined. */
export function lastMetric(trace: TraceData, column: number): number | undefined {
  return metricPoints(trace, column).at(-1)?.[1];
}
