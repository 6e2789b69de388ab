// The samples of a data-backed loss as a scatter, with each run's model at the playback step: the fitted line
// (linear regression) or the decision boundary w1 x1 + w2 x2 = 0 (logistic regression).
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import type { TraceData } from '../../src/shared/protocol';
import { runColor } from '../dom/theme';
import { paramsAt, rowAtStep } from '../runs/traces';

const MARGIN = { top: 18, right: 8, bottom: 20, left: 32 };
const SVG_NS = 'http://www.w3.org/2000/svg';

export class DataView {
  readonly element = document.createElement('div');
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private readonly title: Selection<SVGTextElement, unknown, null, undefined>;
  private samples: Float64Array = new Float64Array();
  private columns: string[] = [];
  private model: 'line' | 'boundary' | undefined;
  private traces: TraceData[] = [];
  private readonly clip: Selection<SVGRectElement, unknown, null, undefined>;
  private step = 0;
  private width = 0;
  private height = 0;

  constructor() {
    this.element.className = 'data-view';
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    this.title = this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 12);
    this.plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    this.clip = this.plot.append('clipPath').attr('id', 'data-view-clip').append('rect');
    for (const name of ['axis axis-x', 'axis axis-y', 'samples', 'models']) this.plot.append('g').attr('class', name);
    this.plot.select('.models').attr('clip-path', 'url(#data-view-clip)');
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  /** Rows of `columns` (x, y for regression; x1, x2, label for classification); model: how runs are drawn (none if absent). */
  setData(samples: Float64Array, columns: string[], model?: 'line' | 'boundary'): void {
    this.samples = samples;
    this.columns = columns;
    this.model = model;
    this.title.text(`${samples.length / Math.max(1, columns.length)} samples (${columns.join(', ')})`);
    this.draw();
  }

  setTraces(traces: TraceData[]): void {
    this.traces = traces;
    this.drawModels();
  }

  setStep(step: number): void {
    this.step = step;
    this.drawModels();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    this.height = Math.max(10, box.height - MARGIN.top - MARGIN.bottom);
    this.svg.attr('width', box.width).attr('height', box.height);
    this.clip.attr('width', this.width).attr('height', this.height);
    this.draw();
  }

  private get classification(): boolean {
    return this.model === 'boundary';
  }

  private scales(): { x: ReturnType<typeof scaleLinear<number, number>>; y: ReturnType<typeof scaleLinear<number, number>> } {
    const width = this.columns.length || 1;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i + 1 < this.samples.length; i += width) {
      [x0, x1] = [Math.min(x0, this.samples[i]), Math.max(x1, this.samples[i])];
      [y0, y1] = [Math.min(y0, this.samples[i + 1]), Math.max(y1, this.samples[i + 1])];
    }
    if (!(x0 < x1)) [x0, x1] = [-1, 1];
    if (!(y0 < y1)) [y0, y1] = [-1, 1];
    return { x: scaleLinear().domain([x0, x1]).nice().range([0, this.width]), y: scaleLinear().domain([y0, y1]).nice().range([this.height, 0]) };
  }

  private draw(): void {
    const { x, y } = this.scales();
    const width = this.columns.length || 1;
    const points = Array.from({ length: Math.floor(this.samples.length / width) }, (_, i) => i * width);
    this.plot
      .select('.samples')
      .selectAll('circle')
      .data(points)
      .join('circle')
      .attr('r', 2)
      .attr('cx', (i) => x(this.samples[i]))
      .attr('cy', (i) => y(this.samples[i + 1]))
      .attr('class', (i) => (this.classification ? (this.samples[i + 2] > 0 ? 'sample positive' : 'sample negative') : 'sample'));
    this.plot.select<SVGGElement>('.axis-x').attr('transform', `translate(0,${this.height})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(this.width / 50))));
    this.plot.select<SVGGElement>('.axis-y').call(axisLeft(y).ticks(Math.max(2, Math.floor(this.height / 25))));
    this.drawModels();
  }

  /** Each run's model at the step: y = w x + b, or the boundary w1 x1 + w2 x2 = 0, clipped to the plot. */
  private drawModels(): void {
    const { x, y } = this.scales();
    const [xa, xb] = x.domain();
    const [ya, yb] = y.domain();
    const segments = (this.model ? this.traces : []).map((trace) => {
      const [w1, w2] = paramsAt(trace, rowAtStep(trace, this.step));
      if (!this.classification) return [xa, w1 * xa + w2, xb, w1 * xb + w2];
      // w1 x1 + w2 x2 = 0: a line through the origin along (-w2, w1).
      if (Math.abs(w2) > Math.abs(w1)) return [xa, (-w1 * xa) / w2, xb, (-w1 * xb) / w2];
      return w1 === 0 ? [NaN, NaN, NaN, NaN] : [(-w2 * ya) / w1, ya, (-w2 * yb) / w1, yb];
    });
    this.plot
      .select('.models')
      .selectAll('line')
      .data(segments)
      .join('line')
      .attr('class', 'model')
      .attr('data-run', (_, i) => i)
      .attr('stroke', (_, i) => runColor(i))
      .attr('x1', (s) => x(s[0]))
      .attr('y1', (s) => y(s[1]))
      .attr('x2', (s) => x(s[2]))
      .attr('y2', (s) => y(s[3]))
      .attr('visibility', (s) => (s.every(Number.isFinite) ? 'visible' : 'hidden'));
  }
}
