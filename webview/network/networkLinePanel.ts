// A network's loss along a line in the Playground (1-D views, Goodfellow et al. 2015; Draxler et al. 2018): the train
// and test loss along the straight line from a run's start to its end, or from one run's end to another's, a quarter
// of the segment past both ends, as the engine computed it (Engine.networkPath, asked of the host as 'networkLine'),
// with t = 0 and t = 1 marked and the engine's barriers in the caption. Only maps the engine's numbers to pixels.
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { select, type Selection } from 'd3-selection';
import { PANEL_NETWORK_LINE, type NetworkLineQuery, type NetworkPathResult } from '../../src/shared/networkPaths';
import type { TraceData } from '../../src/shared/protocol';
import { drawProfiles } from '../charts/profileChart';
import { create } from '../dom/elements';
import { SettledQuestions } from './settledQuestions';
import { runColor } from '../dom/theme';
import { paramsAt } from '../runs/traces';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface NetworkLineEvents {
  request(query: NetworkLineQuery): Promise<NetworkPathResult>;
  error(error: unknown): void;
  runName(index: number): string;
}

/** The line shown: a run's start to its end, or run a's end to run b's end. */
type Choice = { kind: 'run'; run: number } | { kind: 'ends'; a: number; b: number };

const choiceValue = (choice: Choice) => (choice.kind === 'run' ? `run-${choice.run}` : `ends-${choice.a}-${choice.b}`);

function parseChoice(value: string): Choice | undefined {
  const run = /^run-(\d+)$/.exec(value);
  if (run) return { kind: 'run', run: Number(run[1]) };
  const ends = /^ends-(\d+)-(\d+)$/.exec(value);
  return ends ? { kind: 'ends', a: Number(ends[1]), b: Number(ends[2]) } : undefined;
}

/** What the answer on screen was asked for: the line, its ends' names, and its colour. */
interface Shown {
  data: NetworkPathResult;
  name: string;
  ends: [string, string];
  color: string;
}

export class NetworkLinePanel {
  readonly element = create('div', { className: 'network-line', hidden: true });
  private readonly lineSelect = create('vscode-single-select', { className: 'network-line-kind' }) as VscodeSingleSelect;
  private readonly caption = create('div', { className: 'network-line-caption' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private loss: string | undefined;
  private traces: TraceData[] = [];
  /** Kept here: a select's value reads empty until its new options have rendered. */
  private choice: Choice = { kind: 'run', run: 0 };
  /** The options' values and labels as last rendered (rebuilt when the runs or their names change). */
  private optionsKey = '';
  private shown: Shown | undefined;
  private readonly questions = new SettledQuestions();

  constructor(private readonly events: NetworkLineEvents) {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.svg = select(svgElement);
    this.lineSelect.title = 'The line through parameter space: a run\'s start to its end, or one run\'s end to another\'s';
    this.lineSelect.addEventListener('change', () => {
      const choice = parseChoice(this.lineSelect.value);
      if (!choice) return;
      this.choice = choice;
      this.schedule();
    });
    const header = create('div', { className: 'network-line-header' }, 'Loss along a line: ', this.lineSelect);
    const note = create('div', { className: 'network-line-note' },
      'Runs start from the network line\'s initialization (its seed=) unless their optimizer line says init_seed=n: '
      + 'the line between two seeds\' ends asks whether their solutions are connected.');
    this.element.append(header, svgElement, this.caption, note);
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  /** A network loss (its .loss text) shows the panel; undefined hides it. */
  setLoss(loss: string | undefined): void {
    this.loss = loss;
    this.element.hidden = loss === undefined;
    this.traces = [];
    this.shown = undefined;
    this.caption.textContent = '';
    this.questions.dropAnswers();
    this.draw();
  }

  setTraces(traces: TraceData[]): void {
    if (this.loss === undefined) return;
    this.traces = traces;
    this.renderOptions();
    this.schedule();
  }

  refreshTheme(): void {
    this.draw();
  }

  /** One option per run (start to end), and with two runs or more one per pair of runs (end to end). */
  private renderOptions(): void {
    const count = this.traces.length;
    const items: { value: string; label: string }[] = [];
    for (let i = 0; i < count; i++) items.push({ value: choiceValue({ kind: 'run', run: i }), label: `${this.events.runName(i)}: start → end` });
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        items.push({ value: choiceValue({ kind: 'ends', a, b }), label: `${this.events.runName(a)}'s end → ${this.events.runName(b)}'s end` });
      }
    }
    const valid = (c: Choice) => (c.kind === 'run' ? c.run < count : c.b < count);
    if (!valid(this.choice)) this.choice = { kind: 'run', run: 0 };
    const key = JSON.stringify(items);
    if (key !== this.optionsKey) {
      this.optionsKey = key;
      this.lineSelect.replaceChildren(...items.map((item) => create('vscode-option', { value: item.value }, item.label)));
    }
    this.lineSelect.value = choiceValue(this.choice);
  }

  private schedule(): void {
    this.questions.schedule(this.loss !== undefined, this.traces, (id) => this.ask(id));
  }

  private async ask(id: number): Promise<void> {
    const loss = this.loss;
    const traces = this.traces;
    const choice = this.choice;
    if (loss === undefined || traces.length === 0) return;
    const { from, to, ...labels } = this.line(choice, traces);
    this.caption.textContent = 'Computing the loss along the line…';
    try {
      const data = await this.events.request({ loss, from, to, points: PANEL_NETWORK_LINE.points, extend: PANEL_NETWORK_LINE.extend });
      if (!this.questions.isLatest(id)) return;
      this.shown = { data, ...labels };
      this.caption.textContent = lineCaption(data);
      this.draw();
    } catch (error) {
      if (!this.questions.isLatest(id)) return;
      this.caption.textContent = '';
      this.events.error(error);
    }
  }

  private draw(): void {
    const shown = this.shown;
    const width = this.element.getBoundingClientRect().width;
    if (!shown || this.element.hidden || width === 0) {
      if (!shown) this.svg.selectAll('*').remove();
      return;
    }
    const { data, name, ends, color } = shown;
    drawProfiles(this.svg, width, [{ label: name, color, t: data.t, train: data.train, test: data.test }], {
      title: 'loss along the line (train solid, test dashed) against t',
      marks: [{ t: 0, label: ends[0] }, { t: 1, label: ends[1] }],
    });
  }

  /** The line's two parameter vectors (rows of the runs), its name, its ends' marks and its colour. */
  private line(choice: Choice, traces: TraceData[]): Omit<Shown, 'data'> & { from: number[]; to: number[] } {
    const name = (i: number) => this.events.runName(i);
    const end = (i: number) => paramsAt(traces[i], traces[i].rowCount - 1);
    if (choice.kind === 'run') {
      const i = choice.run;
      return { from: paramsAt(traces[i], 0), to: end(i), name: `${name(i)}: start → end`, ends: ['t=0 start', 't=1 end'], color: runColor(i) };
    }
    // The runs' names are in the legend: the marks stay short.
    const { a, b } = choice;
    return { from: end(a), to: end(b), name: `${name(a)}'s end → ${name(b)}'s end`, ends: ['t=0', 't=1'], color: runColor(a) };
  }
}

/** The engine's barriers and the losses at the ends (t = 0 and t = 1 are points of the answer). */
export function lineCaption(data: NetworkPathResult): string {
  const at = (values: number[] | undefined, t: number) => values?.[data.t.indexOf(t)];
  const short = (value: number | undefined) => (value === undefined ? '?' : value === 0 ? '0' : value.toPrecision(4));
  const parts = [
    `train barrier ${short(data.barrier)}${data.testBarrier === undefined ? '' : `, test barrier ${short(data.testBarrier)}`} (the highest loss on the segment minus the higher end's)`,
    `train loss ${short(at(data.train, 0))} at t=0, ${short(at(data.train, 1))} at t=1`,
  ];
  if (data.test) parts.push(`test loss ${short(at(data.test, 0))} at t=0, ${short(at(data.test, 1))} at t=1`);
  return parts.join(' · ');
}
