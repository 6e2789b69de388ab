// The gradient norm ‖∇f‖ vs step for every run (log y), with the playback cursor.
import { LossChart } from './lossChart';
import { gradNormAtStep } from '../runs/traces';

export class GradNormChart extends LossChart {
  constructor(onSeek: (step: number) => void) {
    super(onSeek, undefined, { value: gradNormAtStep, className: 'grad-norm-chart', title: 'gradient norm ‖∇f‖' });
  }
}
