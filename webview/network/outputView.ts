// One run's network output over its input plane, as the engine computed it (Engine.networkOutput): decision regions
// (each point coloured by its predicted class, stronger where the network is surer) or, for one input, the fitted
// curve; the data points on top. Only maps the engine's numbers to pixels.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { interpolateRdBu, schemeTableau10 } from 'd3-scale-chromatic';
import { select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { NetworkSpec } from '../../src/shared/network';
import type { NetworkOutputData, Range } from '../../src/shared/protocol';
import { create } from '../dom/elements';

const MARGIN = { top: 20, right: 8, bottom: 20, left: 30 };
const SVG_NS = 'http://www.w3.org/2000/svg';
/** TensorFlow Playground's two classes: orange (0) and blue (1); more classes take Tableau's other colours. */
const CLASS_COLORS = ['#f59322', '#0877bd', ...schemeTableau10.filter((c) => c !== '#4e79a7' && c !== '#f28e2c')];

export function classColor(label: number): string {
  return CLASS_COLORS[Math.max(0, Math.round(label)) % CLASS_COLORS.length];
}

/** How the plot reads the samples and the engine's values (from the network's loss and input count). */
export interface PlaneData {
  spec: Pick<NetworkSpec, 'widths' | 'loss'>;
  /** Rows of columns (inputs, then targets), row-major: the training samples, then the test split's. */
  samples: Float64Array;
  columns: number;
  /** The training samples (the rows after them are the test split, drawn hollow). */
  trainCount: number;
  /** The inputs' extent (x; y for two inputs) and, for one input, the targets' range. */
  x: Range;
  y: Range;
}

/** The extent of the first two columns, padded by a tenth: the inputs, or for a one-input network the input and its target. */
export function planeExtent(samples: Float64Array, columns: number): { x: Range; y: Range } {
  const span = (column: number): Range => {
    let [lo, hi] = [Infinity, -Infinity];
    for (let i = column; i < samples.length; i += columns) [lo, hi] = [Math.min(lo, samples[i]), Math.max(hi, samples[i])];
    if (!(lo < hi)) [lo, hi] = Number.isFinite(lo) ? [lo - 1, lo + 1] : [-1, 1];
    const pad = (hi - lo) / 10;
    return [lo - pad, hi + pad];
  };
  return { x: span(0), y: span(1) };
}

export class OutputView {
  readonly element = create('div', { className: 'network-output' });
  private readonly canvas = create('canvas', { className: 'network-output-canvas' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private readonly title: Selection<SVGTextElement, unknown, null, undefined>;
  private plane: PlaneData | undefined;
  private output: NetworkOutputData | undefined;
  private width = 0;
  private height = 0;

  constructor(private readonly color: string) {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    svgElement.classList.add('network-output-svg');
    this.element.append(this.canvas, svgElement);
    this.svg = select(svgElement);
    this.title = this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 13);
    this.plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    for (const name of ['axis axis-x', 'axis axis-y', 'curve', 'samples']) this.plot.append('g').attr('class', name);
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  /** The pixels the plot has (the grid asked for follows them). */
  get plotSize(): [number, number] {
    return [this.width, this.height];
  }

  setTitle(text: string): void {
    this.title.text(text);
  }

  setPlane(plane: PlaneData): void {
    this.plane = plane;
    this.output = undefined;
    this.draw();
  }

  /** The engine's output at a step (the step is kept in data-drawn-step, for tests). */
  setOutput(output: NetworkOutputData, step: number): void {
    this.output = output;
    this.element.dataset.drawnStep = String(step);
    this.drawOutput();
  }

  /** The step the output shows, for tests and the title. */
  showStep(step: number): void {
    this.element.dataset.step = String(step);
  }

  /** The theme changed: the axes' colours come from CSS, the regions are redrawn. */
  refresh(): void {
    this.draw();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(10, Math.floor(box.width - MARGIN.left - MARGIN.right));
    this.height = Math.max(10, Math.floor(box.height - MARGIN.top - MARGIN.bottom));
    this.svg.attr('width', box.width).attr('height', box.height);
    this.draw();
  }

  private get inputs(): number {
    return this.plane?.spec.widths[0] ?? 2;
  }

  private scales(): { x: ScaleLinear<number, number>; y: ScaleLinear<number, number> } {
    const plane = this.plane;
    const x = scaleLinear().domain(plane?.x ?? [-1, 1]).range([0, this.width]);
    let yDomain = plane?.y ?? [-1, 1];
    // One input: the curve may leave the targets' range; the plot follows it (within bounds, so one wild value cannot flatten it).
    if (this.inputs === 1 && this.output) {
      const [lo, hi] = yDomain;
      const span = hi - lo;
      let [a, b] = [lo, hi];
      for (const v of this.output.values) if (Number.isFinite(v)) [a, b] = [Math.min(a, v), Math.max(b, v)];
      yDomain = [Math.max(a, lo - 2 * span), Math.min(b, hi + 2 * span)];
    }
    return { x, y: scaleLinear().domain(yDomain).range([this.height, 0]) };
  }

  private draw(): void {
    const plane = this.plane;
    if (!plane || this.width <= 10) return;
    const { x, y } = this.scales();
    const classes = plane.spec.loss !== 'mse';
    const rows = Array.from({ length: Math.floor(plane.samples.length / plane.columns) }, (_, i) => i * plane.columns);
    const target = this.inputs; // the first target column
    const valueColor = this.regressionColor();
    const color = (i: number) => (this.inputs === 1 ? 'currentColor' : classes ? classColor(plane.samples[i + target]) : valueColor(plane.samples[i + target]));
    const isTest = (i: number) => i / plane.columns >= plane.trainCount;
    // Training samples filled, test samples hollow (a ring in the sample's colour), drawn on top.
    this.plot
      .select('.samples')
      .selectAll('circle')
      .data(rows)
      .join('circle')
      .attr('class', (i) => (isTest(i) ? 'network-sample test' : 'network-sample train'))
      .attr('r', 3)
      .attr('cx', (i) => x(plane.samples[i]))
      .attr('cy', (i) => y(plane.samples[i + 1]))
      .attr('fill', (i) => (isTest(i) ? 'none' : color(i)))
      .attr('stroke', (i) => (isTest(i) ? color(i) : null));

    this.plot.select<SVGGElement>('.axis-x').attr('transform', `translate(0,${this.height})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(this.width / 50))));
    this.plot.select<SVGGElement>('.axis-y').call(axisLeft(y).ticks(Math.max(2, Math.floor(this.height / 30))));
    this.drawOutput();
  }

  /** Two-input regression: targets and outputs on one diverging scale over the targets' range. */
  private regressionColor(): (value: number) => string {
    const plane = this.plane;
    if (!plane) return () => 'currentColor';
    let [lo, hi] = [Infinity, -Infinity];
    for (let i = this.inputs; i < plane.samples.length; i += plane.columns) [lo, hi] = [Math.min(lo, plane.samples[i]), Math.max(hi, plane.samples[i])];
    if (!(lo < hi)) [lo, hi] = [lo - 1, hi + 1];
    return (value) => interpolateRdBu(1 - Math.max(0, Math.min(1, (value - lo) / (hi - lo))));
  }

  private drawOutput(): void {
    const { output, plane } = this;
    const context = this.canvas.getContext('2d');
    if (!context) return;
    // The canvas covers the whole view (as a landscape's does: Export draws it over the view's box); the regions fill the plot.
    this.canvas.width = this.width + MARGIN.left + MARGIN.right;
    this.canvas.height = this.height + MARGIN.top + MARGIN.bottom;
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const curve = this.plot.select('.curve');
    if (!output || !plane) {
      curve.selectAll('path').remove();
      return;
    }
    if (this.inputs === 1) {
      const { x, y } = this.scales();
      const [x0, x1] = output.x;
      const n = output.size[0];
      const points = Array.from(output.values, (v, i): [number, number] => [x(x0 + ((x1 - x0) * i) / (n - 1)), y(v)]);
      curve.selectAll('path').data([points]).join('path').attr('class', 'network-curve').attr('stroke', this.color).attr('d', (p) => line()(p.filter((q) => Number.isFinite(q[1]))));
      return;
    }
    curve.selectAll('path').remove();
    context.drawImage(this.regionImage(output, plane), MARGIN.left, MARGIN.top, this.width, this.height);
  }

  /** The grid as an image (y up): the class's colour with an opacity that grows with the network's confidence. */
  private regionImage(output: NetworkOutputData, plane: PlaneData): HTMLCanvasElement {
    const [nx, ny] = output.size;
    const image = document.createElement('canvas');
    image.width = nx;
    image.height = ny;
    const context = image.getContext('2d')!;
    const pixels = context.createImageData(nx, ny);
    const probe = document.createElement('canvas').getContext('2d')!;
    const rgb = (color: string): number[] => {
      probe.fillStyle = color;
      const hex = probe.fillStyle;
      return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    };
    const palette = new Map<string, number[]>();
    const colorOf = (color: string) => palette.get(color) ?? (palette.set(color, rgb(color)), palette.get(color)!);
    const classes = output.outputs;
    const regression = this.regressionColor();
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const p = j * nx + i;
        const value = output.values[p];
        let color: number[];
        let alpha: number;
        if (plane.spec.loss === 'mse') {
          color = colorOf(regression(value));
          alpha = 0.75;
        } else {
          const label = plane.spec.loss === 'bce' ? (value >= 0.5 ? 1 : 0) : value;
          const floor = plane.spec.loss === 'bce' ? 0.5 : 1 / classes;
          const sure = output.confidence ? (output.confidence[p] - floor) / (1 - floor) : 1;
          color = colorOf(classColor(label));
          alpha = 0.12 + 0.6 * Math.max(0, Math.min(1, sure));
        }
        const k = 4 * ((ny - 1 - j) * nx + i);
        pixels.data[k] = color[0];
        pixels.data[k + 1] = color[1];
        pixels.data[k + 2] = color[2];
        pixels.data[k + 3] = Number.isFinite(value) ? Math.round(255 * alpha) : 0;
      }
    }
    context.putImageData(pixels, 0, 0);
    return image;
  }
}
