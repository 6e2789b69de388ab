// A network's train and test curves beside the loss chart: loss (train solid, test dashed) and, for a classifying
// network, accuracy, for every run, with the step shown marked; hidden for other losses.
import type { TraceData } from '../../src/shared/protocol';
import { create } from '../dom/elements';
import { longestRun } from '../runs/traces';
import { CurveChart } from './curveChart';
import { hasMetric, TEST_ACCURACY, TRAIN_ACCURACY } from '../runs/traceMetrics';
import { accuracyCurves, lossCurves } from './networkCurves';

export class NetworkCharts {
  readonly element = create('div', { className: 'network-charts', hidden: true });
  private readonly loss: CurveChart;
  private readonly accuracy: CurveChart;

  constructor(onSeek: (step: number) => void) {
    this.loss = new CurveChart('network-loss-chart', onSeek);
    this.accuracy = new CurveChart('network-accuracy-chart', onSeek);
    this.element.append(this.loss.element, this.accuracy.element);
  }

  /** Shown for a network loss only. */
  setNetwork(network: boolean): void {
    this.element.hidden = !network;
  }

  setTraces(traces: TraceData[], runName: (index: number) => string): void {
    if (this.element.hidden) return;
    const last = longestRun(traces);
    const losses = lossCurves(traces, runName);
    const tested = losses.some((curve) => curve.dashed);
    this.loss.setCurves(losses, 'log', tested ? 'loss: train —, test ┄' : 'training loss (no test split)', last);
    const accuracy = hasMetric(traces, TRAIN_ACCURACY) || hasMetric(traces, TEST_ACCURACY);
    this.accuracy.element.hidden = !accuracy;
    if (accuracy) this.accuracy.setCurves(accuracyCurves(traces, runName), [0, 1], tested ? 'accuracy: train —, test ┄' : 'training accuracy', last);
  }

  setStep(step: number): void {
    if (this.element.hidden) return;
    this.loss.setStep(step);
    this.accuracy.setStep(step);
  }
}
