// The landscape: heatmap on a canvas, contours, axes, minima, start point and trajectories as SVG, zoom and pan.
import { axisBottom, axisLeft } from 'd3-axis';
import { contours } from 'd3-contour';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { line, symbol, symbolStar } from 'd3-shape';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import type { LossInfo } from '../../src/shared/engineApi';
import type { LandscapeData, TraceData } from '../../src/shared/protocol';
import { contourLevels, heatmapPixels, transformGrid, valueTransform } from './colorScale';
import { fitExtent, gridToPixelMatrix, type Extent } from './geometry';
import { heatmapPalette, readTheme, runColor, type Theme } from '../dom/theme';
import { HALO_OPACITY, HALO_WIDTH, TRAJECTORY_WIDTH, TrailLayer } from './trailLayer';
import { averagedPoints, evaluationPoints, nearestRow, pathUpTo, pixelPath, positionAt, rowAtStep, type Hit, type PixelPath, type Point } from '../runs/traces';

/** The plot area inside a landscape view: room for the axes. */
export const PLOT_MARGIN = { top: 8, right: 10, bottom: 24, left: 46 };
const CONTOUR_COUNT = 14;
const HOVER_RADIUS = 12;
const EVALUATION_RADIUS = 2.5;
const EVALUATION_RING = 0.75;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Makes each view's clip path id unique in the document (Compare shows several views). */
let clipCount = 0;

export interface LandscapeEvents {
  /**
   * The visible extent changed (resize, zoom, pan, new loss): wants a landscape for it. `asked`: the part of it the
   * user asked for (the extent set, moved by zoom and pan), before it was widened to the plot's shape: the view to keep.
   */
  extentChanged(extent: Extent, pixels: [number, number], asked: Extent): void;
  startChosen(point: [number, number]): void;
  /** Lines to show beside a hovered trajectory row. */
  describe(hit: Hit): string[];
}

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
type Group = Selection<SVGGElement, unknown, null, undefined>;

/** A landscape ready to draw: the heatmap at grid resolution and contour paths in grid coordinates. */
export interface LandscapeLayer {
  data: LandscapeData;
  image: HTMLCanvasElement;
  contourPaths: string[];
}

export function prepareLayer(data: LandscapeData): LandscapeLayer {
  const [nx, ny] = data.size;
  const transform = valueTransform(data.values, data.min, data.max);
  const grid = transformGrid(data.values, transform);
  const image = document.createElement('canvas');
  image.width = nx;
  image.height = ny;
  const pixels = heatmapPixels(grid, nx, ny, transform.domain, heatmapPalette());
  image.getContext('2d')!.putImageData(new ImageData(pixels, nx, ny), 0, 0);
  const generator = contours().size([nx, ny]).thresholds(contourLevels(transform, CONTOUR_COUNT));
  // d3-contour only indexes the values: a typed array does (its types say number[]).
  const contourPaths = generator(grid as unknown as number[]).map((shape) =>
    shape.coordinates.map((polygon) => polygon.map((ring) => `M${ring.map((p) => `${p[0]},${p[1]}`).join('L')}Z`).join('')).join(''),
  );
  return { data, image, contourPaths };
}

/** What an overlay draws with: the current scales, step, landscape and runs. */
export interface OverlayContext {
  toPixel(x: number, y: number): Point;
  step: number;
  /** The plot area in pixels. */
  width: number;
  height: number;
  landscape: LandscapeData | undefined;
  traces: TraceData[];
  colors: string[];
}

/** Extra SVG over the landscape (the vector arrows), redrawn whenever the scales, landscape, runs or step change. */
export type Overlay = (group: Selection<SVGGElement, unknown, null, undefined>, context: OverlayContext) => void;

export interface LandscapeOptions {
  /** Scroll to zoom and drag to pan (re-requesting the landscape). */
  zoomable: boolean;
}

export class LandscapeView {
  readonly element = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly tooltip = document.createElement('div');
  private readonly svg: Svg;
  private readonly plot: Group;
  private readonly contourSvg: Svg;
  private readonly contourPlot: Group;
  /** Draws the trajectories while playback runs (the SVG paths are hidden then). */
  private readonly trail = new TrailLayer();
  private animating = false;
  private readonly contourGroup: Group;
  private readonly curve: Selection<SVGPathElement, unknown, null, undefined>;
  private readonly traceGroup: Group;
  private readonly markerGroup: Group;
  private readonly axisX: Group;
  private readonly axisY: Group;
  private readonly clipRect: Selection<SVGRectElement, unknown, null, undefined>;
  private readonly zoomBehavior: ZoomBehavior<SVGSVGElement, unknown>;
  private theme: Theme = readTheme();
  private width = 0;
  private height = 0;
  /** The extent shown at zoom identity, and the current scales. */
  private home: Extent = { x: [-1, 1], y: [-1, 1] };
  private requestedHome: Extent = this.home;
  /** The extent asked for at zoom identity, before fitExtent widened it to the plot's shape. */
  private asked: Extent = this.home;
  private baseX = scaleLinear();
  private baseY = scaleLinear();
  private x = scaleLinear();
  private y = scaleLinear();
  private landscape: LandscapeLayer | undefined;
  private traces: TraceData[] = [];
  private colors: string[] = [];
  /** Full trajectories in pixels for the current scales (playback only cuts them). */
  private pixelPaths: PixelPath[] | undefined;
  private step = 0;
  private minima: LossInfo['minima'] = [];
  private start: number[] = [];
  /** A 1-D loss is drawn as its graph: x across, the loss up. */
  private dim = 2;
  private hoverHit: Hit | undefined;
  private readonly overlays: { group: Group; draw: Overlay }[] = [];

  constructor(
    private readonly events: LandscapeEvents,
    options: LandscapeOptions = { zoomable: true },
  ) {
    this.element.className = 'landscape';
    this.canvas.className = 'landscape-canvas';
    // Two SVG layers: contours (redrawn on zoom) under trajectories, markers and axes (redrawn every frame).
    const contourElement = document.createElementNS(SVG_NS, 'svg');
    contourElement.classList.add('landscape-contours');
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    svgElement.classList.add('landscape-overlay');
    this.tooltip.className = 'tooltip';
    this.tooltip.hidden = true;
    this.element.append(this.canvas, contourElement, this.trail.halo, this.trail.lines, svgElement, this.tooltip);
    this.contourSvg = select(contourElement);
    this.svg = select(svgElement);
    const clipId = `landscape-clip-${++clipCount}`;
    this.clipRect = this.svg.append('defs').append('clipPath').attr('id', clipId).append('rect');
    const clipped = (svg: Svg): Group => svg.append('g').attr('clip-path', `url(#${clipId})`);
    this.contourPlot = clipped(this.contourSvg);
    this.plot = clipped(this.svg);
    this.contourGroup = this.contourPlot.append('g').attr('class', 'contours');
    this.curve = this.contourPlot.append('path').attr('class', 'loss-curve');
    this.traceGroup = this.plot.append('g').attr('class', 'trajectories');
    this.markerGroup = this.plot.append('g').attr('class', 'markers');
    this.axisX = this.svg.append('g').attr('class', 'axis axis-x');
    this.axisY = this.svg.append('g').attr('class', 'axis axis-y');

    this.zoomBehavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([1 / 64, 1e6])
      .on('zoom', (event: D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.x = event.transform.rescaleX(this.baseX);
        this.y = event.transform.rescaleY(this.baseY);
        this.pixelPaths = undefined;
        this.draw();
        this.events.extentChanged(this.visibleExtent(), [this.width, this.height], this.askedNow());
      });
    if (options.zoomable) this.svg.call(this.zoomBehavior).on('dblclick.zoom', null);
    this.svg.on('click', (event: MouseEvent) => {
      const [px, py] = this.pointer(event);
      if (px < 0 || py < 0 || px > this.width || py > this.height) return;
      this.events.startChosen([this.x.invert(px), this.y.invert(py)]);
    });
    this.svg.on('mousemove', (event: MouseEvent) => {
      const [px, py] = this.pointer(event);
      const hit = nearestRow(this.traces, this.step, this.toPixel, px, py, HOVER_RADIUS);
      if (hit?.trace !== this.hoverHit?.trace || hit?.row !== this.hoverHit?.row) {
        this.hoverHit = hit;
        this.drawMarkers();
        this.showTooltip();
      }
    });
    this.svg.on('mouseleave', () => {
      this.hoverHit = undefined;
      this.drawMarkers();
      this.showTooltip();
    });
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  private readonly toPixel = (x: number, y: number): Point => [this.x(x), this.y(y)];

  /** Adds an overlay drawn under the trajectories or under the markers (over the trajectories). */
  addOverlay(draw: Overlay, below: 'trajectories' | 'markers'): void {
    const group = this.plot.insert('g', below === 'trajectories' ? '.trajectories' : '.markers');
    this.overlays.push({ group, draw });
    this.drawOverlays();
  }

  /** Redraws the overlays (after their own settings changed). */
  drawOverlays(): void {
    const context: OverlayContext = {
      toPixel: this.toPixel,
      step: this.step,
      width: this.width,
      height: this.height,
      landscape: this.landscape?.data,
      traces: this.traces,
      colors: this.colors,
    };
    for (const overlay of this.overlays) overlay.draw(overlay.group, context);
  }

  private pointer(event: MouseEvent): Point {
    const box = this.element.getBoundingClientRect();
    return [event.clientX - box.left - PLOT_MARGIN.left, event.clientY - box.top - PLOT_MARGIN.top];
  }

  /** The data extent inside the plot area now. */
  visibleExtent(): Extent {
    return { x: this.x.domain() as [number, number], y: this.y.domain() as [number, number] };
  }

  /** What was asked for, moved as zoom and pan have moved the view since: the data now at the pixels it had. */
  private askedNow(): Extent {
    const along = (range: Extent['x'], base: typeof this.baseX, now: typeof this.x): [number, number] => [now.invert(base(range[0])), now.invert(base(range[1]))];
    return { x: along(this.asked.x, this.baseX, this.x), y: along(this.asked.y, this.baseY, this.y) };
  }

  /** Shows an extent at zoom identity (a new loss, or a restored view). */
  setHome(extent: Extent): void {
    this.requestedHome = extent;
    this.layout();
  }

  /** The loss's number of parameters: 1 draws the graph of the loss instead of a heatmap. */
  setDimension(dim: number): void {
    this.dim = dim;
  }

  setMarkers(minima: LossInfo['minima'], start: number[]): void {
    this.minima = minima;
    this.start = start;
    this.drawMarkers();
  }

  setLandscape(data: LandscapeData): void {
    this.setLayer(prepareLayer(data));
  }

  setLayer(layer: LandscapeLayer): void {
    this.landscape = layer;
    this.contourGroup
      .selectAll('path')
      .data(this.dim === 1 ? [] : layer.contourPaths)
      .join('path')
      .attr('d', (d) => d)
      .attr('vector-effect', 'non-scaling-stroke');
    this.draw();
  }

  /** The runs to draw, each in its colour (by default the run colour of its index). */
  setTraces(traces: TraceData[], colors: string[] = traces.map((_, i) => runColor(i))): void {
    this.traces = traces;
    this.colors = colors;
    this.pixelPaths = undefined;
    this.hoverHit = undefined;
    this.showTooltip();
    this.drawTraces();
    this.drawMarkers();
    this.drawOverlays();
  }

  /** Shows the runs up to `step`; `animating` while playback runs (canvas trails, drawn incrementally). */
  setStep(step: number, animating = false): void {
    this.step = step;
    if (animating !== this.animating) {
      this.animating = animating;
      this.traceGroup.attr('display', animating ? 'none' : null);
      this.trail.clear();
    }
    this.drawTraces();
    this.drawMarkers();
    this.drawOverlays();
  }

  /** Rings the point where a training session paused (runs at that step), or none. */
  setPaused(paused: { runs: number[]; step: number } | undefined): void {
    this.paused = paused;
    this.drawMarkers();
  }

  private paused: { runs: number[]; step: number } | undefined;

  private showTooltip(): void {
    const hit = this.hoverHit;
    this.tooltip.hidden = !hit;
    if (!hit) return;
    this.tooltip.replaceChildren(
      ...this.events.describe(hit).map((text) => {
        const lineElement = document.createElement('div');
        lineElement.textContent = text;
        return lineElement;
      }),
    );
    const [px, py] = this.toPixel(...positionAt(this.traces[hit.trace], hit.row));
    const flip = px > this.width / 2;
    this.tooltip.style.left = flip ? '' : `${PLOT_MARGIN.left + px + 12}px`;
    this.tooltip.style.right = flip ? `${this.width + PLOT_MARGIN.right - px + 12}px` : '';
    this.tooltip.style.top = `${PLOT_MARGIN.top + Math.max(0, py - 10)}px`;
    this.tooltip.style.borderColor = this.colors[hit.trace];
  }

  /** Theme changed: re-read colours and repaint the canvas. */
  refreshTheme(): void {
    this.theme = readTheme();
    this.draw();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    const width = Math.max(10, Math.floor(box.width) - PLOT_MARGIN.left - PLOT_MARGIN.right);
    const height = Math.max(10, Math.floor(box.height) - PLOT_MARGIN.top - PLOT_MARGIN.bottom);
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(box.width * ratio);
    this.canvas.height = Math.round(box.height * ratio);
    for (const svg of [this.svg, this.contourSvg]) svg.attr('width', box.width).attr('height', box.height);
    for (const plot of [this.plot, this.contourPlot]) plot.attr('transform', `translate(${PLOT_MARGIN.left},${PLOT_MARGIN.top})`);
    this.clipRect.attr('width', width).attr('height', height);
    this.trail.resize(box, { left: PLOT_MARGIN.left, top: PLOT_MARGIN.top, width, height }, ratio);
    this.axisX.attr('transform', `translate(${PLOT_MARGIN.left},${PLOT_MARGIN.top + height})`);
    this.axisY.attr('transform', `translate(${PLOT_MARGIN.left},${PLOT_MARGIN.top})`);
    // Keep what was asked for (as zoomed and panned), refitted to the new shape: a resize never widens the view by itself.
    if (this.home !== this.requestedHome || !this.landscape) this.layout();
    else this.setHomeExtent(this.askedNow());
  }

  private layout(): void {
    if (!this.width) return;
    this.setHomeExtent(this.requestedHome);
    this.home = this.requestedHome;
  }

  private setHomeExtent(extent: Extent): void {
    this.asked = extent;
    const fitted = fitExtent(extent, this.width, this.height);
    this.baseX = scaleLinear().domain(fitted.x).range([0, this.width]);
    this.baseY = scaleLinear().domain(fitted.y).range([this.height, 0]);
    this.x = this.baseX.copy();
    this.y = this.baseY.copy();
    this.pixelPaths = undefined;
    // Resetting the zoom fires a zoom event, which draws and asks for the landscape.
    this.svg.call(this.zoomBehavior.transform, zoomIdentity);
  }

  private draw(): void {
    // Not laid out yet: the first resize draws.
    if (!this.width) return;
    this.drawCanvas();
    this.drawContours();
    this.drawAxes();
    this.drawTraces();
    this.drawMarkers();
    this.drawOverlays();
  }

  private drawCanvas(): void {
    const ctx = this.canvas.getContext('2d')!;
    const ratio = this.canvas.width / Math.max(1, this.width + PLOT_MARGIN.left + PLOT_MARGIN.right);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(ratio, 0, 0, ratio, PLOT_MARGIN.left * ratio, PLOT_MARGIN.top * ratio);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, this.width, this.height);
    if (!this.landscape || this.dim === 1) return;
    const { data, image } = this.landscape;
    const stepX = (data.x[1] - data.x[0]) / (data.size[0] - 1);
    const stepY = (data.y[1] - data.y[0]) / (data.size[1] - 1);
    const left = this.x(data.x[0] - stepX / 2);
    const right = this.x(data.x[1] + stepX / 2);
    const top = this.y(data.y[1] + stepY / 2);
    const bottom = this.y(data.y[0] - stepY / 2);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, this.width, this.height);
    ctx.clip();
    ctx.globalAlpha = this.theme.kind === 'high-contrast' ? 1 : 0.6;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, left, top, right - left, bottom - top);
    ctx.restore();
  }

  private drawContours(): void {
    this.curve.attr('d', this.dim === 1 && this.landscape ? this.curvePath(this.landscape.data) : null);
    if (!this.landscape) return;
    const { data } = this.landscape;
    const [a, d, e, f] = gridToPixelMatrix(data, data.size, this.x, this.y);
    this.contourGroup.attr('transform', `matrix(${a},0,0,${d},${e},${f})`);
  }

  /** The graph of a 1-D loss: the grid's first row holds f(x_i). */
  private curvePath(data: LandscapeData): string {
    const [nx] = data.size;
    const points: Point[] = Array.from({ length: nx }, (_, i) => [this.x(data.x[0] + (i * (data.x[1] - data.x[0])) / (nx - 1)), this.y(data.values[i])]);
    return line().defined((p) => Number.isFinite(p[1]))(points) ?? '';
  }

  /** Where a point of parameter space (with its loss) is drawn: (x, y), or (x, loss) for a 1-D loss. */
  private plotPoint(point: number[], value: number): Point {
    return this.dim === 1 ? [point[0], value] : [point[0], point[1]];
  }

  private drawAxes(): void {
    // At least three: a narrow cell's axis still shows its span (two could round to a lone 0).
    this.axisX.call(axisBottom(this.x).ticks(Math.max(3, Math.floor(this.width / 80))));
    this.axisY.call(axisLeft(this.y).ticks(Math.max(3, Math.floor(this.height / 50))));
  }

  /**
   * L-BFGS's inner evaluations, faint points in their run's colour over the trajectories (many lie on them), ringed in
   * the background colour, up to the current step.
   */
  private drawEvaluations(): void {
    const points = this.traces.flatMap((trace, run) => evaluationPoints(trace, this.step, this.toPixel).map((p) => ({ run, p })));
    this.traceGroup
      .selectAll('circle.evaluation')
      .data(points)
      .join('circle')
      .attr('class', 'evaluation')
      .attr('data-run', (e) => e.run)
      .attr('cx', (e) => e.p[0])
      .attr('cy', (e) => e.p[1])
      .attr('r', EVALUATION_RADIUS)
      .attr('fill', (e) => this.colors[e.run])
      .attr('stroke', this.theme.background)
      .attr('stroke-width', EVALUATION_RING)
      .raise();
  }

  /** ASGD's averaged iterates, dashed in their run's colour, up to the current step (while playing too). */
  private drawAveraged(): void {
    const pathOf = line();
    const averaged = this.traces.flatMap((trace, i) => (trace.averaged ? [{ run: i, d: pathOf(averagedPoints(trace, rowAtStep(trace, this.step), this.toPixel)) ?? '' }] : []));
    this.traceGroup
      .selectAll('path.averaged')
      .data(averaged)
      .join('path')
      .attr('class', 'averaged')
      .attr('data-run', (a) => a.run)
      .attr('d', (a) => a.d)
      .attr('stroke', (a) => this.colors[a.run])
      .attr('stroke-width', TRAJECTORY_WIDTH)
      .raise(); // over the trajectories' halos, which would hide it where ax stays close to x
  }

  private drawTraces(): void {
    this.pixelPaths ??= this.traces.map((trace) => pixelPath(trace, this.toPixel));
    if (this.animating) {
      this.trail.draw({ traces: this.traces, paths: this.pixelPaths, colors: this.colors, halo: this.theme.background, toPixel: this.toPixel }, this.step);
      this.drawEvaluations();
      this.drawAveraged();
      return;
    }
    const pathOf = line();
    const paths = this.traces.map((trace, i) => {
      const row = rowAtStep(trace, this.step);
      return pathOf(pathUpTo(this.pixelPaths![i], row, this.toPixel(...positionAt(trace, row)))) ?? '';
    });
    this.traceGroup
      .selectAll('path.trajectory-halo')
      .data(paths)
      .join('path')
      .attr('class', 'trajectory-halo')
      .attr('d', (d) => d)
      .attr('stroke', this.theme.background)
      .attr('stroke-width', HALO_WIDTH)
      .attr('stroke-opacity', HALO_OPACITY);
    this.traceGroup
      .selectAll('path.trajectory')
      .data(paths)
      .join('path')
      .attr('class', 'trajectory')
      .attr('data-run', (_, i) => i)
      .attr('d', (d) => d)
      .attr('stroke', (_, i) => this.colors[i])
      .attr('stroke-width', TRAJECTORY_WIDTH);
    this.drawEvaluations();
    this.drawAveraged();
  }

  private drawMarkers(): void {
    const star = symbol(symbolStar, 90)() ?? '';
    this.markerGroup
      .selectAll('path.minimum')
      .data(this.minima.map((m) => this.plotPoint(m.point, m.value)))
      .join('path')
      .attr('class', 'minimum')
      .attr('d', star)
      .attr('transform', ([x, y]) => `translate(${this.x(x)},${this.y(y)})`);
    // A 1-D start is drawn once its loss is known (row 0 of a run).
    const start = this.dim === 1 ? (this.traces[0] && positionAt(this.traces[0], 0)) : this.plotPoint(this.start, 0);
    this.markerGroup
      .selectAll('circle.start')
      .data(start ? [start] : [])
      .join('circle')
      .attr('class', 'start')
      .attr('r', 5)
      .attr('cx', (p) => this.x(p[0]))
      .attr('cy', (p) => this.y(p[1]));
    const heads = this.traces
      .map((trace, i) => ({ i, p: this.toPixel(...positionAt(trace, rowAtStep(trace, this.step))) }))
      .filter(({ p }) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    this.markerGroup
      .selectAll('circle.head')
      .data(heads)
      .join('circle')
      .attr('class', 'head')
      .attr('r', 4.5)
      .attr('cx', (h) => h.p[0])
      .attr('cy', (h) => h.p[1])
      .attr('fill', (h) => this.colors[h.i]);
    const paused = this.paused;
    const pausedAt = paused
      ? paused.runs.filter((i) => this.traces[i]).map((i) => this.toPixel(...positionAt(this.traces[i], rowAtStep(this.traces[i], paused.step))))
      : [];
    this.markerGroup
      .selectAll('circle.paused')
      .data(pausedAt.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])))
      .join('circle')
      .attr('class', 'paused')
      .attr('r', 9)
      .attr('cx', (p) => p[0])
      .attr('cy', (p) => p[1]);
    const hit = this.hoverHit;
    const hovered = hit ? [this.toPixel(...positionAt(this.traces[hit.trace], hit.row))] : [];
    this.markerGroup
      .selectAll('circle.hover')
      .data(hovered)
      .join('circle')
      .attr('class', 'hover')
      .attr('r', 7)
      .attr('cx', (p) => p[0])
      .attr('cy', (p) => p[1]);
  }
}
