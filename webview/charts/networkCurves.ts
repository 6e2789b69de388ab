// A network's train and test curves per run, from its trace (pure): the training loss of every row, and the metrics
// the engine measured every few steps (RunTrace.metrics: test loss, test accuracy, train accuracy; NaN elsewhere).
import type { TraceData } from '../../src/shared/protocol';
import { runColor } from '../dom/theme';
import { metricPoints, TEST_ACCURACY, TEST_LOSS, TRAIN_ACCURACY } from '../runs/traceMetrics';
import { lossAtStep, seriesLength } from '../runs/traces';
import type { Curve } from './curveChart';

/** Every run's training loss (each row's: the step's batch) solid, and its test loss dashed where measured. */
export function lossCurves(traces: TraceData[], runName: (index: number) => string): Curve[] {
  return traces.flatMap((trace, run) => {
    const train: Curve = {
      name: `${runName(run)} train`, color: runColor(run), dashed: false,
      points: Array.from({ length: seriesLength(trace) }, (_, step): [number, number] => [step, lossAtStep(trace, step)]),
    };
    const test = metricPoints(trace, TEST_LOSS);
    return test.length > 0 ? [train, { name: `${runName(run)} test`, color: runColor(run), dashed: true, points: test }] : [train];
  });
}

/** Every run's training accuracy (eval mode, all training samples) solid and test accuracy dashed, where measured. */
export function accuracyCurves(traces: TraceData[], runName: (index: number) => string): Curve[] {
  return traces.flatMap((trace, run) => [
    { name: `${runName(run)} train`, color: runColor(run), dashed: false, points: metricPoints(trace, TRAIN_ACCURACY) },
    { name: `${runName(run)} test`, color: runColor(run), dashed: true, points: metricPoints(trace, TEST_ACCURACY) },
  ].filter((curve) => curve.points.length > 0));
}
