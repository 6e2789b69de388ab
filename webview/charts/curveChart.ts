// A small chart of curves against the step (a network's train and test curves, its layer statistics): each curve in
// its colour, solid or dashed, with the playback cursor and a dot where each curve is at the step shown; a click or a
// drag seeks. Only maps the numbers it is given to pixels.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import { CursorLayer } from './cursorLayer';
import { compactTick } from './lossChart';
import { newestPerFrame } from '../dom/frames';

const MARGIN = { top: 18, right: 14, bottom: 20, left: 48 };
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Points drawn per curve at most: longer curves are sampled at a stride (their last point kept). */
const MAX_POINTS = 1500;

export interface Curve {
  /** [step, value] in step order; non-finite values are left out of the line. */
  points: [number, number][];
  /** A CSS colour (a theme variable such as var(--vscode-charts-blue) works: it is set as a style). */
  color: string;
  dashed: boolean;
  /** For tests and hover: what the curve is (e.g. "run 0 test"). */
  name: string;
}

/** 'log': a log y axis (values must be > 0; others are left out); 'linear'; or a fixed linear domain. */
export type CurveScale = 'log' | 'linear' | [number, number];

/** The value a curve shows at step: its last point at or before it (curves measured every k steps hold between). */
export function valueAtStep(points: readonly [number, number][], step: number): number | undefined {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? points[lo - 1][1] : undefined;
}

/** Points of a curve to draw: at most MAX_POINTS, every stride-th and the last. */
function thinned(points: readonly [number, number][]): [number, number][] {
  const stride = Math.max(1, Math.ceil(points.length / MAX_POINTS));
  if (stride === 1) return points.slice();
  const kept = points.filter((_, i) => i % stride === 0);
  if ((points.length - 1) % stride !== 0) kept.push(points[points.length - 1]);
  return kept;
}

export class CurveChart {
  readonly element = document.createElement('div');
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private readonly title: Selection<SVGTextElement, unknown, null, undefined>;
  private readonly cursor: CursorLayer;
  private curves: Curve[] = [];
  private scale: CurveScale = 'linear';
  private lastStep = 1;
  private step = 0;
  private width = 0;
  private height = 0;
  private x = scaleLinear();
  private y: ScaleContinuousNumeric<number, number> = scaleLinear();

  constructor(className: string, onSeek?: (step: number) => void) {
    this.element.className = `curve-chart ${className}`;
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    this.title = this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 12);
    this.plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    for (const name of ['curve-lines', 'axis axis-x', 'axis axis-y', 'curve-dots']) this.plot.append('g').attr('class', name);
    this.cursor = new CursorLayer(this.element);
    if (onSeek) {
      let dragging = false;
      const seek = (event: PointerEvent) => {
        const [px] = pointer(event, this.plot.node());
        onSeek(Math.round(this.x.invert(Math.max(0, Math.min(this.width, px)))));
      };
      this.svg.on('pointerdown', (event: PointerEvent) => {
        dragging = true;
        svgElement.setPointerCapture(event.pointerId);
        seek(event);
      });
      this.svg.on('pointermove', (event: PointerEvent) => dragging && seek(event));
      this.svg.on('pointerup pointercancel', () => (dragging = false));
    }
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  /** The curves, the y scale, the title (what the curves are, how to tell them apart) and the x axis's end. */
  setCurves(curves: Curve[], scale: CurveScale, title: string, lastStep: number): void {
    this.curves = curves;
    this.scale = scale;
    this.lastStep = Math.max(1, lastStep);
    this.title.text(title);
    this.draw();
  }

  setStep(step: number): void {
    this.step = step;
    this.drawStep();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    this.height = Math.max(10, box.height - MARGIN.top - MARGIN.bottom);
    this.svg.attr('width', box.width).attr('height', box.height);
    this.draw();
  }

  /** Draws at the next animation frame: the curves of one frame's changes draw once. */
  private readonly draw = newestPerFrame<void>(() => this.drawNow());

  private usable(value: number): boolean {
    return Number.isFinite(value) && (this.scale !== 'log' || value > 0);
  }

  private drawNow(): void {
    if (this.width <= 10) return;
    let [lo, hi] = [Infinity, -Infinity];
    for (const curve of this.curves) for (const [, v] of curve.points) if (this.usable(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (!(lo <= hi)) [lo, hi] = this.scale === 'log' ? [0.1, 1] : [0, 1];
    this.x = scaleLinear().domain([0, this.lastStep]).range([0, this.width]);
    if (Array.isArray(this.scale)) this.y = scaleLinear().domain(this.scale).range([this.height, 0]);
    else if (this.scale === 'log') this.y = scaleLog().domain([lo, hi > lo ? hi : lo * 10]).range([this.height, 0]).clamp(true);
    else this.y = scaleLinear().domain(lo < hi ? [lo, hi] : [lo - 1, hi + 1]).nice().range([this.height, 0]);
    const { x, y } = this;
    this.plot
      .select('.curve-lines')
      .selectAll('path')
      .data(this.curves)
      .join('path')
      .attr('class', (c) => (c.dashed ? 'curve dashed' : 'curve'))
      .attr('data-name', (c) => c.name)
      .style('stroke', (c) => c.color)
      .attr('d', (c) => line()(thinned(c.points.filter(([, v]) => this.usable(v))).map(([s, v]): [number, number] => [x(s), y(v)])) ?? '');
    this.plot.select<SVGGElement>('.axis-x').attr('transform', `translate(0,${this.height})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(this.width / 70))));
    const ticks = Math.max(2, Math.floor(this.height / 25));
    const labelled = this.y.tickFormat(ticks, '~g');
    this.plot.select<SVGGElement>('.axis-y').call(
      axisLeft(this.y)
        .ticks(ticks)
        .tickFormat((v) => (labelled(v) === '' ? '' : compactTick(Number(v)))),
    );
    this.drawStep();
  }

  /** The cursor at the step shown and each curve's value there. */
  private drawStep(): void {
    const { x, y } = this;
    this.cursor.place(MARGIN.left, MARGIN.top, this.height, x(this.step));
    const dots = this.curves.flatMap((c) => {
      const value = valueAtStep(c.points, this.step);
      return value !== undefined && this.usable(value) ? [{ curve: c, value }] : [];
    });
    this.plot
      .select('.curve-dots')
      .selectAll('circle')
      .data(dots)
      .join('circle')
      .attr('class', 'curve-dot')
      .attr('r', 2.5)
      .attr('cx', x(Math.min(this.step, this.lastStep)))
      .attr('cy', (d) => y(d.value))
      .style('fill', (d) => d.curve.color)
      .attr('data-name', (d) => d.curve.name)
      .attr('data-value', (d) => d.value);
  }
}
