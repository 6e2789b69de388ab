// The lottery lesson's second chart (the engine computes the study; this only maps its numbers to pixels): the strong
// ticket's training loss against steps: edge-popup's learned subnetwork, a random mask of the same size on the same
// random weights (flat: nothing trains), and the dense network trained normally; final test accuracies in the legend.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { StrongTicketResult } from '../../src/shared/studies';
import { runColor } from '../dom/theme';
import { create } from '../dom/elements';

const MARGIN = { top: 10, right: 30, bottom: 34, left: 44 };
const HEIGHT = 140;
const LEGEND_ROW = 14;
const SVG_NS = 'http://www.w3.org/2000/svg';

function accuracyText(accuracy: number): string {
  return Number.isFinite(accuracy) ? `, test accuracy ${accuracy.toFixed(2)}` : '';
}

export class StrongTicketChart {
  readonly element = create('div', { className: 'strong-ticket', hidden: true });
  private readonly caption = create('div', { className: 'study-status strong-ticket-caption' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private result: StrongTicketResult | undefined;

  constructor() {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(this.caption, svgElement);
    this.svg = select(svgElement);
  }

  /** The part's result, or why it did not run (shown instead of the chart). */
  show(result: StrongTicketResult | undefined, error?: string): void {
    this.result = result;
    this.element.hidden = !result && error === undefined;
    if (error !== undefined) this.caption.textContent = `The strong ticket (edge-popup) did not run: ${error}`;
    if (result) {
      const percent = +(100 * result.keep).toFixed(1);
      this.caption.textContent = `The strong ticket (edge-popup): training loss when only the choice of which ${percent}% of each layer's random weights to keep is learned. ${result.lines.join('; ')}`;
    }
  }

  /** Draws at the given width (the study chart's, which watches its size). */
  draw(boxWidth: number): void {
    this.svg.selectAll('*').remove();
    const result = this.result;
    if (!result || this.element.hidden) return;
    const width = Math.max(10, boxWidth - MARGIN.left - MARGIN.right);
    const series = [
      { name: 'edge-popup', steps: result.popup.map((_, k) => k), values: result.popup, accuracy: result.accuracy.popup, dashed: false },
      { name: 'random mask', steps: [0, result.popup.length - 1], values: [result.popup[0], result.popup[0]], accuracy: result.accuracy.randomMask, dashed: true },
      { name: 'dense, weights trained', steps: result.dense.steps, values: result.dense.losses, accuracy: result.accuracy.dense, dashed: false },
    ];
    // Under the x axis and its label.
    const legendTop = HEIGHT + MARGIN.bottom + 14;
    this.svg.attr('width', width + MARGIN.left + MARGIN.right).attr('height', MARGIN.top + legendTop + series.length * LEGEND_ROW + 4);
    const plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    const last = Math.max(1, ...series.flatMap((s) => s.steps));
    const x = scaleLinear().domain([0, last]).range([0, width]);
    const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
    const y = scaleLinear().domain([0, Math.max(0.01, ...finite)]).nice().range([HEIGHT, 0]);
    series.forEach((s, i) => {
      const points = s.values.map((v, k): [number, number] => [x(s.steps[k]), y(v)]).filter((p) => Number.isFinite(p[1]));
      plot.append('path').attr('class', 'strong-line').attr('data-series', s.name).attr('d', line()(points) ?? '')
        .attr('stroke', runColor(i)).attr('stroke-dasharray', s.dashed ? '5 3' : null);
      const row = legendTop + i * LEGEND_ROW;
      plot.append('line').attr('x1', 0).attr('x2', 18).attr('y1', row - 4).attr('y2', row - 4).attr('stroke', runColor(i))
        .attr('stroke-width', 2).attr('stroke-dasharray', s.dashed ? '5 3' : null);
      plot.append('text').attr('class', 'chart-title strong-legend').attr('x', 24).attr('y', row).attr('fill', runColor(i))
        .text(`${s.name}${accuracyText(s.accuracy)}`);
    });
    plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${HEIGHT})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 70))));
    plot.append('g').attr('class', 'axis').call(axisLeft(y).ticks(5, '~g'));
    plot.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', HEIGHT + 30).attr('text-anchor', 'middle').text('step');
  }
}
