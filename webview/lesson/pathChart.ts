// A lesson's loss profiles along paths between two networks (Lesson.paths): the training loss (solid) and test loss
// (dashed) against t in [0, 1], one colour per path, with the notes the host computed. The engine computes every number.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import { findLesson } from '../../src/shared/lessons';
import type { PathStudyData } from '../../src/shared/networkPaths';
import type { Scenario } from '../../src/shared/protocol';
import { create } from '../dom/elements';
import { runColor } from '../dom/theme';

const MARGIN = { top: 18, right: 12, bottom: 20, left: 40 };
const SVG_NS = 'http://www.w3.org/2000/svg';

export type StudyRequest = (scenario: Scenario, onProgress: (progress: { done: number; steps: number }) => void) => Promise<PathStudyData>;

export class PathChart {
  readonly element = create('div', { className: 'path-chart', hidden: true });
  private readonly status = create('div', { className: 'path-status' });
  private readonly notes = create('div', { className: 'path-notes' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private data: PathStudyData | undefined;
  /** The study on screen or on its way: the scenario's loss, first run and steps. */
  private key = '';

  constructor(private readonly request: StudyRequest) {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.svg = select(svgElement);
    this.element.append(this.status, svgElement, this.notes);
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  /** Shows the study of the scenario's lesson (hidden without one), asking the host again when the file changed. */
  show(scenario: Scenario): void {
    const study = findLesson(scenario.lesson)?.paths;
    this.element.hidden = !study;
    if (!study) {
      this.key = '';
      return;
    }
    const key = JSON.stringify([scenario.lesson, scenario.loss, scenario.runs[0], scenario.steps]);
    if (key === this.key) return;
    this.key = key;
    this.data = undefined;
    this.status.textContent = 'Training the two networks in the engine…';
    this.draw();
    this.request(scenario, ({ done, steps }) => {
      if (this.key === key) this.status.textContent = `Training the curve's bend: ${done} / ${steps} steps…`;
    }).then(
      (data) => {
        if (this.key !== key) return;
        this.data = data;
        this.status.textContent = '';
        this.draw();
      },
      (error: unknown) => {
        if (this.key === key) this.status.textContent = `The study failed: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  }

  private draw(): void {
    const box = this.element.getBoundingClientRect();
    const width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    const height = Math.max(10, Math.min(box.width * 0.5, 220) - MARGIN.top - MARGIN.bottom);
    this.svg.attr('width', box.width).attr('height', height + MARGIN.top + MARGIN.bottom);
    this.svg.selectAll('*').remove();
    const profiles = this.data?.profiles ?? [];
    this.notes.replaceChildren(...(this.data?.notes ?? []).map((text) => create('p', { textContent: text })));
    if (profiles.length === 0) return;
    let hi = 0;
    for (const p of profiles) for (const v of [...p.train, ...(p.test ?? [])]) if (Number.isFinite(v)) hi = Math.max(hi, v);
    const x = scaleLinear().domain([0, 1]).range([0, width]);
    // Headroom above the highest point for the legend, one row per path.
    const y = scaleLinear().domain([0, (hi > 0 ? hi : 1) * (1 + 0.12 * profiles.length)]).nice().range([height, 0]);
    this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 12).text('loss along the path (train solid, test dashed) against t');
    const plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    plot.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${height})`).call(axisBottom(x).ticks(5));
    plot.append('g').attr('class', 'axis axis-y').call(axisLeft(y).ticks(4));
    const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
    const points = (t: number[], values: number[]) => t.map((ti, i) => [ti, values[i]] as [number, number]).filter(([, v]) => Number.isFinite(v));
    const lines = plot.append('g').attr('class', 'path-lines');
    profiles.forEach((p, i) => {
      lines.append('path').attr('class', 'path-train').attr('data-path', i).attr('fill', 'none').attr('stroke', runColor(i)).attr('stroke-width', 2)
        .attr('d', path(points(p.t, p.train)));
      if (p.test) {
        lines.append('path').attr('class', 'path-test').attr('data-path', i).attr('fill', 'none').attr('stroke', runColor(i)).attr('stroke-width', 1.2)
          .attr('stroke-dasharray', '4 3').attr('d', path(points(p.t, p.test)));
      }
    });
    const legend = this.svg.append('g').attr('class', 'path-legend').attr('transform', `translate(${MARGIN.left + 8},${MARGIN.top + 4})`);
    profiles.forEach((p, i) => {
      const row = legend.append('g').attr('transform', `translate(0,${14 * i})`);
      row.append('line').attr('x1', 0).attr('x2', 14).attr('y1', 5).attr('y2', 5).attr('stroke', runColor(i)).attr('stroke-width', 2);
      row.append('text').attr('x', 18).attr('y', 9).text(`${p.label} (barrier ${p.barrier.toPrecision(3)})`);
    });
  }
}
