// Loss vs step for every run (log y, or symlog when a loss reaches 0 or below), with the playback cursor.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog, scaleSymlog } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { TraceData } from '../src/protocol';
import { runColor } from './theme';
import { longestRun, lossAt, lossAxisKind, lossExtent } from './traces';

const MARGIN = { top: 8, right: 10, bottom: 22, left: 52 };
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Rows drawn per run at most: longer runs are sampled at a stride. */
const MAX_POINTS = 2000;

export class LossChart {
  readonly element = document.createElement('div');
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly lines: Selection<SVGGElement, unknown, null, undefined>;
  private readonly cursor: Selection<SVGLineElement, unknown, null, undefined>;
  private readonly axisX: Selection<SVGGElement, unknown, null, undefined>;
  private readonly axisY: Selection<SVGGElement, unknown, null, undefined>;
  private traces: TraceData[] = [];
  private step = 0;
  private width = 0;
  private height = 0;
  private x = scaleLinear();

  constructor(onSeek: (step: number) => void) {
    this.element.className = 'loss-chart';
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    const plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    this.lines = plot.append('g').attr('class', 'loss-lines');
    this.cursor = plot.append('line').attr('class', 'cursor');
    this.axisX = plot.append('g').attr('class', 'axis axis-x');
    this.axisY = plot.append('g').attr('class', 'axis axis-y');
    let dragging = false;
    const seek = (event: PointerEvent) => {
      const [px] = pointer(event, plot.node());
      onSeek(Math.round(this.x.invert(Math.max(0, Math.min(this.width, px)))));
    };
    this.svg.on('pointerdown', (event: PointerEvent) => {
      dragging = true;
      svgElement.setPointerCapture(event.pointerId);
      seek(event);
    });
    this.svg.on('pointermove', (event: PointerEvent) => dragging && seek(event));
    this.svg.on('pointerup pointercancel', () => (dragging = false));
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  setTraces(traces: TraceData[]): void {
    this.traces = traces;
    this.draw();
  }

  setStep(step: number): void {
    this.step = step;
    this.drawCursor();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    this.height = Math.max(10, box.height - MARGIN.top - MARGIN.bottom);
    this.svg.attr('width', box.width).attr('height', box.height);
    this.draw();
  }

  private draw(): void {
    this.x = scaleLinear().domain([0, Math.max(1, longestRun(this.traces))]).range([0, this.width]);
    const [lo, hi] = lossExtent(this.traces);
    const y =
      lossAxisKind(this.traces) === 'log'
        ? scaleLog().domain([lo, hi > lo ? hi : lo * 10]).range([this.height, 0]).clamp(true)
        : scaleSymlog().domain([lo, hi > lo ? hi : lo + 1]).range([this.height, 0]).clamp(true);
    const paths = this.traces.map((trace) => {
      const stride = Math.max(1, Math.ceil(trace.rowCount / MAX_POINTS));
      const points: [number, number][] = [];
      for (let row = 0; row < trace.rowCount; row += stride) {
        const loss = lossAt(trace, row);
        if (Number.isFinite(loss)) points.push([this.x(row), y(loss)]);
      }
      const last = trace.rowCount - 1;
      if (last % stride !== 0 && Number.isFinite(lossAt(trace, last))) points.push([this.x(last), y(lossAt(trace, last))]);
      return line()(points) ?? '';
    });
    this.lines
      .selectAll('path')
      .data(paths)
      .join('path')
      .attr('d', (d) => d)
      .attr('data-run', (_, i) => i)
      .attr('stroke', (_, i) => runColor(i));
    this.axisX.attr('transform', `translate(0,${this.height})`).call(axisBottom(this.x).ticks(Math.max(2, Math.floor(this.width / 80))));
    this.axisY.call(axisLeft(y).ticks(Math.max(2, Math.floor(this.height / 30)), '~g'));
    this.drawCursor();
  }

  private drawCursor(): void {
    const px = this.x(this.step);
    this.cursor.attr('x1', px).attr('x2', px).attr('y1', 0).attr('y2', this.height);
  }
}
