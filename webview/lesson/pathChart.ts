// A lesson's loss profiles along paths between two networks (Lesson.paths): the training loss (solid) and test loss
// (dashed) against t in [0, 1], one colour per path, with the notes the host computed. The engine computes every number.
import { select, type Selection } from 'd3-selection';
import { findLesson } from '../../src/shared/lessons';
import type { PathStudyData } from '../../src/shared/networkPaths';
import type { Scenario } from '../../src/shared/protocol';
import { drawProfiles } from '../charts/profileChart';
import { create } from '../dom/elements';
import { runColor } from '../dom/theme';

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
    const profiles = this.data?.profiles ?? [];
    this.notes.replaceChildren(...(this.data?.notes ?? []).map((text) => create('p', { textContent: text })));
    drawProfiles(this.svg, this.element.getBoundingClientRect().width, profiles.map((p, i) => ({
      label: `${p.label} (barrier ${p.barrier.toPrecision(3)})`, color: runColor(i), t: p.t, train: p.train, test: p.test,
    })), { title: 'loss along the path (train solid, test dashed) against t' });
  }
}
