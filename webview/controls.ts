// The scenario controls: runs (optimizer and PyTorch-named options), steps, start and view, with @vscode-elements.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { OptimizerInfo } from '../src/engine/api';
import { completeRun, formatPoint, runLabel } from '../src/panels/scenario';
import { LIMITS, type RunConfig, type Scenario, type Snapshot } from '../src/protocol';
import { formatOption, parseOption, PRIMARY_OPTIONS } from './options';
import { runColor } from './theme';

export interface ControlsEvents {
  /** Valid runs and steps after an edit. */
  changed(runs: RunConfig[], steps: number): void;
  pickLoss(): void;
  resetStart(): void;
  resetView(): void;
  compare(): void;
  exportPlot(): void;
}

function create<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

export class Controls {
  readonly element = create('div', { className: 'controls' });
  private optimizers: OptimizerInfo[] = [];
  private runs: RunConfig[] = [];
  private readonly runList = create('div', { className: 'runs' });
  private readonly stepsField = create('vscode-textfield', { type: 'number', min: 1, max: LIMITS.maxSteps, className: 'steps' });
  private readonly lossTitle = create('div', { className: 'loss-title' });
  private readonly lossFormula = create('div', { className: 'loss-formula' });
  private readonly startText = create('span', { className: 'start-text' });

  constructor(private readonly events: ControlsEvents) {
    const changeLoss = create('vscode-button', { secondary: true, className: 'change-loss' }, 'Change loss…');
    changeLoss.addEventListener('click', () => events.pickLoss());
    const addRun = create('vscode-button', { secondary: true, className: 'add-run' }, 'Add optimizer');
    addRun.addEventListener('click', () => this.addRun());
    const resetStart = create('vscode-button', { secondary: true }, 'Default start');
    resetStart.addEventListener('click', () => events.resetStart());
    const resetView = create('vscode-button', { secondary: true }, 'Reset view');
    resetView.addEventListener('click', () => events.resetView());
    const compare = create('vscode-button', { className: 'compare' }, 'Compare side by side');
    compare.addEventListener('click', () => events.compare());
    const exportButton = create('vscode-button', { secondary: true, className: 'export' }, 'Export…');
    exportButton.addEventListener('click', () => events.exportPlot());
    this.stepsField.addEventListener('input', () => this.emit());
    this.element.append(
      create('section', { className: 'loss' }, this.lossTitle, this.lossFormula, changeLoss),
      create('section', {}, create('h3', {}, 'Optimizers'), this.runList, addRun),
      create('section', { className: 'steps-row' }, create('vscode-label', {}, 'Steps'), this.stepsField),
      create('section', { className: 'start-row' }, create('span', {}, 'Start '), this.startText, create('div', { className: 'hint' }, 'Click the landscape to move it.'), resetStart, resetView),
      create('section', {}, compare, exportButton),
    );
  }

  render(snapshot: Snapshot, scenario: Scenario, start: number[]): void {
    this.optimizers = snapshot.optimizers;
    this.runs = scenario.runs.map((run) => structuredClone(run));
    this.lossTitle.textContent = snapshot.loss.title;
    this.lossFormula.textContent = snapshot.loss.formula;
    this.stepsField.value = String(scenario.steps);
    this.showStart(start);
    this.renderRuns();
  }

  showStart(start: number[]): void {
    this.startText.textContent = formatPoint(start);
  }

  private renderRuns(): void {
    this.runList.replaceChildren(...this.runs.map((run, index) => this.runEditor(run, index)));
  }

  private addRun(): void {
    if (this.runs.length >= LIMITS.maxRuns || this.optimizers.length === 0) return;
    const used = new Set(this.runs.map((r) => r.optimizer));
    const next = this.optimizers.find((o) => !used.has(o.name)) ?? this.optimizers[0];
    this.runs.push({ optimizer: next.name, options: { ...next.defaults } });
    this.renderRuns();
    this.emit();
  }

  private runEditor(run: RunConfig, index: number): HTMLElement {
    const swatch = create('span', { className: 'swatch', title: runLabel(run, this.optimizers) });
    swatch.style.backgroundColor = runColor(index);
    const select = create('vscode-single-select', { className: 'optimizer' }) as VscodeSingleSelect;
    select.append(...this.optimizers.map((o) => create('vscode-option', { value: o.name, description: o.title }, o.name)));
    select.value = run.optimizer;
    select.addEventListener('change', () => {
      const switched = completeRun(this.optimizers, { optimizer: select.value, options: run.options });
      if (!switched) return;
      this.runs[index] = switched;
      this.renderRuns();
      this.emit();
    });
    const remove = create('vscode-button', { secondary: true, className: 'remove-run', title: 'Remove this run', disabled: this.runs.length <= 1 }, '✕');
    remove.addEventListener('click', () => {
      this.runs.splice(index, 1);
      this.renderRuns();
      this.emit();
    });
    const defaults = this.optimizers.find((o) => o.name === run.optimizer)?.defaults ?? {};
    const keys = Object.keys(defaults);
    const primary = keys.filter((k) => PRIMARY_OPTIONS.includes(k)).map((k) => this.optionField(run, k, defaults[k]));
    const more = create('vscode-collapsible', { title: 'More options', className: 'more-options' } as Partial<HTMLElement>);
    more.append(...keys.filter((k) => !PRIMARY_OPTIONS.includes(k)).map((k) => this.optionField(run, k, defaults[k])));
    return create('div', { className: 'run' }, create('div', { className: 'run-head' }, swatch, select, ...primary, remove), more);
  }

  private optionField(run: RunConfig, key: string, like: RunConfig['options'][string]): HTMLElement {
    const value = run.options[key] ?? like;
    if (typeof like === 'boolean') {
      const box = create('vscode-checkbox', { label: key, checked: value === true }) as VscodeCheckbox;
      box.addEventListener('change', () => {
        run.options[key] = box.checked;
        this.emit();
      });
      return create('div', { className: 'option' }, box);
    }
    const field = create('vscode-textfield', { value: formatOption(value), className: `option-${key}` }) as VscodeTextfield;
    field.addEventListener('input', () => {
      const parsed = parseOption(field.value, like);
      field.invalid = parsed === undefined;
      if (parsed === undefined) return;
      run.options[key] = parsed;
      this.emit();
    });
    return create('label', { className: 'option' }, create('span', { className: 'option-name' }, key), field);
  }

  private emit(): void {
    const steps = Number(this.stepsField.value);
    const validSteps = Number.isInteger(steps) && steps >= 1 && steps <= LIMITS.maxSteps;
    this.stepsField.invalid = !validSteps;
    if (!validSteps) return;
    this.events.changed(this.runs.map((run) => structuredClone(run)), steps);
  }
}
