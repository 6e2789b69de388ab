// One run's per-layer statistics (Engine.networkLayerStats): the std (solid) and mean (dashed) of each layer's
// activations and of the loss's gradient with respect to its pre-activations over steps, and each weight matrix's
// histogram at the step shown. Only maps the engine's numbers to pixels.
import { axisBottom } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import type { NetworkLayerStats, NetworkLayerStatsResult } from '../../src/shared/engineApi';
import { CurveChart } from '../charts/curveChart';
import { create } from '../dom/elements';
import { layerColor, layerCurves } from './layerStats';

const SVG_NS = 'http://www.w3.org/2000/svg';
const HISTOGRAM = { width: 170, height: 96, top: 16, bottom: 18, side: 18 };

export class LayerStatsView {
  readonly element = create('div', { className: 'layer-stats' });
  private readonly activations: CurveChart;
  private readonly gradients: CurveChart;
  private readonly histograms = create('div', { className: 'weight-histograms' });
  private readonly heading = create('div', { className: 'layer-stats-heading' });
  private readonly histogramHeading = create('div', { className: 'layer-stats-heading' });
  private rows: number[] = [];
  private stepOf: (row: number) => number = (row) => row;
  private result: NetworkLayerStatsResult | undefined;
  /** The point whose histograms are drawn (redrawn only when another one is due). */
  private drawnPoint: { loss: number } | undefined;

  constructor(onSeek: (step: number) => void) {
    this.activations = new CurveChart('layer-activations', onSeek);
    this.gradients = new CurveChart('layer-gradients', onSeek);
    this.element.append(this.heading, this.activations.element, this.gradients.element, this.histogramHeading, this.histograms);
  }

  /**
   * The statistics at rows (ascending) of the run named, over a run of lastRow rows; the histograms at shownRow.
   * stepOf: the step a row holds (parameters recorded every k-th step).
   */
  setStats(rows: number[], result: NetworkLayerStatsResult, runName: string, lastRow: number, shownRow: number, stepOf: (row: number) => number = (row) => row): void {
    this.rows = rows;
    this.stepOf = stepOf;
    this.result = result;
    // Which colour is which layer (the last one's activations are the logits).
    const layers = result.points[0]?.layers.length ?? 0;
    const keys = Array.from({ length: layers }, (_, l) => {
      const key = create('span', { className: 'layer-key' }, `${l + 1 === layers ? 'out' : `layer ${l + 1}`}`);
      key.style.setProperty('--layer-color', layerColor(l + 1));
      return key;
    });
    this.heading.replaceChildren(`${runName}: layer statistics over the training set (full batch) · `, ...keys);
    const key = 'std —, mean ┄';
    const steps = rows.map(stepOf);
    this.activations.setCurves(layerCurves(steps, result, 'activation'), 'linear', `activations per layer (${key})`, stepOf(lastRow));
    this.gradients.setCurves(layerCurves(steps, result, 'gradient'), 'linear', `∂loss/∂z per layer (${key})`, stepOf(lastRow));
    this.element.dataset.rows = rows.join(',');
    this.showHistograms(shownRow);
  }

  /** The step shown and its row in the run: the histograms show the computed row closest at or before it. */
  setStep(step: number, row: number): void {
    this.activations.setStep(step);
    this.gradients.setStep(step);
    this.showHistograms(row);
  }

  /** The weight histograms at row (the closest computed row at or before it). */
  private showHistograms(row: number): void {
    const result = this.result;
    if (!result) return;
    let index = 0;
    for (let i = 0; i < this.rows.length; i++) if (this.rows[i] <= row) index = i;
    const point = result.points[index];
    if (!point || point === this.drawnPoint) return;
    this.drawnPoint = point;
    this.histograms.dataset.row = String(this.rows[index]);
    this.histogramHeading.textContent = `weights at step ${this.stepOf(this.rows[index])}`;
    const views = point.layers.map((layer, l) => histogram(layer, l + 1));
    this.histograms.replaceChildren(...views);
  }
}

/** One layer's weight histogram: a bar per bin over the weights' range, in the layer's colour. */
function histogram(layer: NetworkLayerStats, index: number): SVGSVGElement {
  const { width, height, top, bottom, side } = HISTOGRAM;
  const svgElement = document.createElementNS(SVG_NS, 'svg');
  svgElement.classList.add('weight-histogram');
  const svg = select(svgElement).attr('width', width).attr('height', height).attr('data-layer', index);
  const counts = layer.weightCounts;
  const total = counts.reduce((a, b) => a + b, 0);
  svg.append('text').attr('class', 'chart-title').attr('x', side).attr('y', 11).text(`W${index} · ${total} weights`);
  const [lo, hi] = layer.weightRange;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return svgElement;
  const x = scaleLinear().domain([lo, hi]).range([side, width - side]);
  const most = Math.max(1, ...counts);
  const y = scaleLinear().domain([0, most]).range([height - bottom, top]);
  const binWidth = (hi - lo) / counts.length;
  svg
    .append('g')
    .selectAll('rect')
    .data(counts)
    .join('rect')
    .attr('class', 'histogram-bar')
    .attr('x', (_, b) => x(lo + b * binWidth) + 0.5)
    .attr('width', Math.max(0.5, x(lo + binWidth) - x(lo) - 1))
    .attr('y', (c) => y(c))
    .attr('height', (c) => y(0) - y(c))
    .attr('data-count', (c) => c)
    .style('fill', layerColor(index));
  svg.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${height - bottom})`).call(axisBottom(x).tickValues([lo, (lo + hi) / 2, hi]).tickFormat((v) => Number(v).toPrecision(2)));
  return svgElement;
}
