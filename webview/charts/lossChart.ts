// Loss (or another per-row value: the gradient norm) vs step for every run (log y, or symlog when a value
// reaches 0 or below), with the playback cursor; a click or drag seeks.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog, scaleSymlog } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { TraceData } from '../../src/shared/protocol';
import { CursorLayer } from './cursorLayer';
import { drawRunPaths } from './runPaths';
import { afterNextFrame, newestPerFrame } from '../dom/frames';
import { longestRun, lossAtStep, seriesAxisKind, seriesExtent, seriesLength, type RowValue } from '../runs/traces';

const MARGIN = { top: 8, right: 10, bottom: 22, left: 30 };
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Rows drawn per run at most: longer runs are sampled at a stride. */
const MAX_POINTS = 2000;

/** A short tick label: 1e-6 rather than 0.000001, 0.25, 12, 3e+5. */
export function compactTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential().replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(3)));
}

export interface ChartOptions {
  /** The value plotted per row (default: the loss). */
  value: RowValue;
  /** The element's class; its lines group is named after it (loss-chart: loss-lines). */
  className: string;
  /** Shown in the plot's top-right corner. */
  title: string;
}

const LOSS: ChartOptions = { value: lossAtStep, className: 'loss-chart', title: 'loss' };

export class LossChart {
  readonly element = document.createElement('div');
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly lines: Selection<SVGGElement, unknown, null, undefined>;
  private readonly cursor: CursorLayer;
  private readonly axisX: Selection<SVGGElement, unknown, null, undefined>;
  private readonly axisY: Selection<SVGGElement, unknown, null, undefined>;
  private traces: TraceData[] = [];
  private step = 0;
  private width = 0;
  private height = 0;
  private x = scaleLinear();
  /** Samples seen per step of each run: the x axis is samples seen instead of steps. */
  private perStep: number[] | undefined;
  private readonly xLabel: Selection<SVGTextElement, unknown, null, undefined>;
  private readonly title: Selection<SVGTextElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private box = { width: 0, height: 0 };
  /** Grows to fit the y axis's labels. */
  private left = MARGIN.left;

  private breakpointSteps: number[] = [];
  private pausedStep: number | undefined;
  private minSteps = 0;
  private readonly markers: Selection<SVGGElement, unknown, null, undefined>;

  /** onAxisClick: a click on the step axis band (below the plot), e.g. to toggle a step breakpoint. */
  constructor(
    onSeek: (step: number) => void,
    onAxisClick?: (step: number) => void,
    private readonly options: ChartOptions = LOSS,
  ) {
    this.element.className = options.className;
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    svgElement.classList.add('chart-plot');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    const plot = this.svg.append('g');
    this.plot = plot;
    this.lines = plot.append('g').attr('class', `${options.className.replace(/-chart$/, '')}-lines`);
    this.axisX = plot.append('g').attr('class', 'axis axis-x');
    this.axisY = plot.append('g').attr('class', 'axis axis-y');
    this.xLabel = plot.append('text').attr('class', 'axis-label x-label').attr('text-anchor', 'end');
    this.markers = plot.append('g').attr('class', 'step-markers');
    this.cursor = new CursorLayer(this.element);
    this.title = plot.append('text').attr('class', 'chart-title').attr('text-anchor', 'end').attr('dy', '0.9em').text(options.title);
    let dragging = false;
    const stepAt = (event: PointerEvent) => {
      const [px] = pointer(event, plot.node());
      const at = this.x.invert(Math.max(0, Math.min(this.width, px)));
      return Math.round(this.perStep ? at / Math.min(...this.perStep) : at);
    };
    const seek = (event: PointerEvent) => onSeek(stepAt(event));
    this.svg.on('pointerdown', (event: PointerEvent) => {
      const [, py] = pointer(event, plot.node());
      if (onAxisClick && py > this.height) {
        onAxisClick(stepAt(event));
        return;
      }
      dragging = true;
      svgElement.setPointerCapture(event.pointerId);
      seek(event);
    });
    this.svg.on('pointermove', (event: PointerEvent) => dragging && seek(event));
    this.svg.on('pointerup pointercancel', () => (dragging = false));
    // Sized (and so drawn) from the page's second frame on: the landscape and its trajectories come first.
    afterNextFrame(() => new ResizeObserver(() => this.resize()).observe(this.element));
  }

  setTraces(traces: TraceData[]): void {
    this.traces = traces;
    this.draw();
  }

  /** Draws loss against samples seen (row x perStep[run]) up to the budget every run reached; undefined: against steps. */
  setSamplesPerStep(perStep: number[] | undefined): void {
    this.perStep = perStep;
    this.draw();
  }

  setStep(step: number): void {
    this.step = step;
    this.drawCursor();
  }

  /** Marks step breakpoints on the step axis and the paused step; minSteps keeps the axis at least that long. */
  setBreakpoints(steps: number[], paused: number | undefined, minSteps = 0): void {
    this.breakpointSteps = steps;
    this.pausedStep = paused;
    const changed = this.minSteps !== minSteps;
    this.minSteps = minSteps;
    if (changed) this.draw();
    else this.drawMarkers();
  }

  private drawMarkers(): void {
    // Against samples seen, step s is at s times the fewest samples per step (as seeking reads it).
    const perStep = this.perStep ? Math.min(...this.perStep) : 1;
    const at = (s: number) => this.x(s * perStep);
    const inRange = (s: number) => s >= 0 && s * perStep <= this.x.domain()[1];
    this.markers
      .selectAll('path.step-breakpoint')
      .data(this.breakpointSteps.filter(inRange))
      .join('path')
      .attr('class', 'step-breakpoint')
      .attr('data-step', (s) => s)
      .attr('d', (s) => `M${at(s)},${this.height + 1} l-5,8 h10 z`);
    this.markers
      .selectAll('line.paused-step')
      .data(this.pausedStep !== undefined && inRange(this.pausedStep) ? [this.pausedStep] : [])
      .join('line')
      .attr('class', 'paused-step')
      .attr('x1', at)
      .attr('x2', at)
      .attr('y1', 0)
      .attr('y2', this.height);
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.box = { width: box.width, height: box.height };
    this.svg.attr('width', box.width).attr('height', box.height);
    this.draw();
  }

  /** Draws at the next animation frame: what changes in one frame (runs, breakpoints, size) draws once. */
  private readonly draw = newestPerFrame<void>(() => this.drawNow());

  private drawNow(): void {
    if (this.box.width === 0) return; // not sized yet: its first resize draws
    this.drawOnce();
    // The y labels' width is known once drawn: make room for them (their text does not depend on the width).
    const labels = (this.axisY.node() as SVGGElement).getBBox().width;
    const wanted = Math.max(MARGIN.left, Math.ceil(labels) + 4);
    if (wanted !== this.left) {
      this.left = wanted;
      this.drawOnce();
    }
  }

  private drawOnce(): void {
    const value = this.options.value;
    this.width = Math.max(10, this.box.width - this.left - MARGIN.right);
    this.height = Math.max(10, this.box.height - MARGIN.top - MARGIN.bottom);
    this.plot.attr('transform', `translate(${this.left},${MARGIN.top})`);
    this.title.attr('x', this.width - 4).attr('y', 2);
    const perStep = this.perStep;
    const scale = (run: number) => perStep?.[run] ?? 1;
    // Against samples: up to the budget every run reached, so the curves compare the same work.
    const last = perStep && this.traces.length > 0 ? Math.min(...this.traces.map((t, i) => (seriesLength(t) - 1) * scale(i))) : longestRun(this.traces);
    this.x = scaleLinear().domain([0, Math.max(1, last, perStep ? 0 : this.minSteps)]).range([0, this.width]);
    this.xLabel.attr('x', this.width).attr('y', this.height - 4).text(perStep ? 'samples seen' : '');
    const [lo, hi] = seriesExtent(this.traces, value);
    const y =
      seriesAxisKind(this.traces, value) === 'log'
        ? scaleLog().domain([lo, hi > lo ? hi : lo * 10]).range([this.height, 0]).clamp(true)
        : scaleSymlog().domain([lo, hi > lo ? hi : lo + 1]).range([this.height, 0]).clamp(true);
    const paths = this.traces.map((trace, run) => {
      const k = scale(run);
      const rows = Math.min(seriesLength(trace), Math.floor(last / k) + 1);
      const stride = Math.max(1, Math.ceil(rows / MAX_POINTS));
      const points: [number, number][] = [];
      for (let row = 0; row < rows; row += stride) {
        const v = value(trace, row);
        if (Number.isFinite(v)) points.push([this.x(row * k), y(v)]);
      }
      const lastRow = rows - 1;
      if (lastRow % stride !== 0 && Number.isFinite(value(trace, lastRow))) points.push([this.x(lastRow * k), y(value(trace, lastRow))]);
      return line()(points) ?? '';
    });
    drawRunPaths(this.lines, paths);
    this.axisX.attr('transform', `translate(0,${this.height})`).call(axisBottom(this.x).ticks(Math.max(2, Math.floor(this.width / 80))));
    const yTicks = Math.max(2, Math.floor(this.height / 30));
    // The log scale's own format decides which ticks carry a label; the text is the compact one.
    const labelled = y.tickFormat(yTicks, '~g');
    this.axisY.call(
      axisLeft(y)
        .ticks(yTicks)
        .tickFormat((v) => (labelled(v) === '' ? '' : compactTick(Number(v)))),
    );
    this.drawCursor();
    this.drawMarkers();
  }

  private drawCursor(): void {
    // Against samples each run is elsewhere at a step: the cursor follows the smallest batch.
    const px = this.x(this.step * (this.perStep ? Math.min(...this.perStep) : 1));
    this.cursor.place(this.left, MARGIN.top, this.height, px);
  }
}
