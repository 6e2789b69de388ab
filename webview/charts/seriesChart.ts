// A small titled chart of one value per step for every run (x against t, average regret), with the playback cursor.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import { CursorLayer } from './cursorLayer';
import { drawRunPaths } from './runPaths';

// Room on the right for the last tick's label (e.g. "3,000"), which is centred on the edge.
const MARGIN = { top: 18, right: 16, bottom: 20, left: 40 };
const SVG_NS = 'http://www.w3.org/2000/svg';
const MAX_POINTS = 1500;

/** One run's values: values[i] is the value at step first + i. */
export interface Series {
  first: number;
  values: number[];
}

export class SeriesChart {
  readonly element = document.createElement('div');
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: Selection<SVGGElement, unknown, null, undefined>;
  private readonly cursor: CursorLayer;
  private series: Series[] = [];
  private step = 0;
  private width = 0;
  private height = 0;
  private x = scaleLinear();

  constructor(
    className: string,
    private readonly title: string,
  ) {
    this.element.className = `series-chart ${className}`;
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 12).text(title);
    this.plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    this.plot.append('g').attr('class', 'series-lines');
    this.plot.append('g').attr('class', 'axis axis-x');
    this.plot.append('g').attr('class', 'axis axis-y');
    this.cursor = new CursorLayer(this.element);
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  setSeries(series: Series[]): void {
    this.series = series;
    this.draw();
  }

  setStep(step: number): void {
    this.step = step;
    const px = this.x(step);
    this.cursor.place(MARGIN.left, MARGIN.top, this.height, px);
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    this.height = Math.max(10, box.height - MARGIN.top - MARGIN.bottom);
    this.svg.attr('width', box.width).attr('height', box.height);
    this.draw();
  }

  private draw(): void {
    const lastStep = Math.max(1, ...this.series.map((s) => s.first + s.values.length - 1));
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.series) for (const v of s.values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
    this.x = scaleLinear().domain([0, lastStep]).range([0, this.width]);
    const y = scaleLinear().domain([lo, hi]).nice().range([this.height, 0]);
    const paths = this.series.map((s) => {
      const stride = Math.max(1, Math.ceil(s.values.length / MAX_POINTS));
      const points: [number, number][] = [];
      for (let i = 0; i < s.values.length; i += stride) if (Number.isFinite(s.values[i])) points.push([this.x(s.first + i), y(s.values[i])]);
      const last = s.values.length - 1;
      if (last > 0 && last % stride !== 0 && Number.isFinite(s.values[last])) points.push([this.x(s.first + last), y(s.values[last])]);
      return line()(points) ?? '';
    });
    drawRunPaths(this.plot.select<SVGGElement>('.series-lines'), paths);
    this.plot.select<SVGGElement>('.axis-x').attr('transform', `translate(0,${this.height})`).call(axisBottom(this.x).ticks(Math.max(2, Math.floor(this.width / 70))));
    this.plot.select<SVGGElement>('.axis-y').call(axisLeft(y).ticks(Math.max(2, Math.floor(this.height / 25)), '~g'));
    this.setStep(this.step);
  }
}
