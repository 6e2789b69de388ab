// The scenario controls: runs (optimizer and PyTorch-named options), steps, start and view, with @vscode-elements.
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { applyChoice, choiceOf, findOptimizer, formatStart, optimizerChoices, runLabel, scenarioKey } from '../../src/shared/scenario';
import type { LossInfo, OptimizerInfo, ScheduleSpec, StochasticSpec } from '../../src/shared/engineApi';
import { LIMITS, SCHEDULE_FIELDS, SCHEDULE_TYPES, type RunConfig, type Scenario, type Snapshot } from '../../src/shared/protocol';
import { formatOption, parseOption, PRIMARY_OPTIONS } from './options';
import { button, create, keepTyping } from '../dom/elements';
import { effectiveStochastic } from '../../src/shared/stochastic';
import { runColor } from '../dom/theme';
import { exportButtons } from '../export/exportButtons';

export interface ControlsEvents {
  /** Valid runs and steps after an edit. */
  changed(runs: RunConfig[], steps: number): void;
  pickLoss(): void;
  resetStart(): void;
  resetView(): void;
  compare(): void;
  exportPlot(): void;
  exportAnimation(): void;
  /** The loss chart's x axis (data-backed losses): steps or samples seen. */
  chartX(axis: 'step' | 'samples'): void;
}

/**
 * A section whose contents are built when it is first opened (a panel's runs start with fewer components). `opened`
 * says whether it was open before the runs were drawn again, and hears when it opens or closes.
 */
function collapsible(props: Record<string, unknown>, contents: () => HTMLElement[], opened: { open: boolean; toggled(open: boolean): void }): HTMLElement {
  const section = create('vscode-collapsible', { ...props, open: opened.open } as Partial<HTMLElement>);
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    section.append(...contents());
  };
  if (opened.open) build();
  section.addEventListener('vsc-collapsible-toggle', (event) => {
    const open = (event as CustomEvent<{ open: boolean }>).detail.open;
    opened.toggled(open);
    if (open) build();
  });
  return section;
}

/** The collapsed stochastic section's one-line summary, e.g. "B=8, noise 0.1, cosine" (a `stochastic` line's values included). */
export function stochasticSummary(run: RunConfig, loss: LossInfo | undefined): string {
  const parts: string[] = [];
  const st = effectiveStochastic(run, loss);
  if (st.batchSize) parts.push(`B=${st.batchSize}${st.replacement ? ' w/ repl.' : ''}`);
  if (st.noise) parts.push(`noise ${st.noise}`);
  if (st.seed) parts.push(`seed ${st.seed}`);
  if (run.schedule && run.schedule.type !== 'constant') parts.push(run.schedule.type);
  if (run.project) parts.push(`project [${run.project[0].join(', ')}]`);
  if (run.initSeed !== undefined) parts.push(`init seed ${run.initSeed}`);
  return parts.join(', ');
}

/** What a panel's run editors are built from: the same key, the same editors. */
function runEditorsKey(runs: RunConfig[], optimizers: OptimizerInfo[], loss: LossInfo | undefined): string {
  return scenarioKey([runs, optimizers, loss?.data?.count, loss?.network !== undefined, loss?.online?.projection, loss?.stochastic]);
}

export class Controls {
  readonly element = create('div', { className: 'controls' });
  private optimizers: OptimizerInfo[] = [];
  private runs: RunConfig[] = [];
  private readonly runList = create('div', { className: 'runs' });
  private readonly stepsField = create('vscode-textfield', { type: 'number', min: 1, max: LIMITS.panelMaxSteps, className: 'steps' });
  private readonly steps = keepTyping(this.stepsField);
  private readonly lossTitle = create('div', { className: 'loss-title' });
  private readonly lossFormula = create('div', { className: 'loss-formula' });
  private readonly startText = create('span', { className: 'start-text' });
  private loss: LossInfo | undefined;
  private readonly chartXSection = create('section', { className: 'chart-x-row' });
  /** Says how to move the start and resets the view: a landscape's; a network's start is its initialization. */
  private readonly landscapeHint = create('div', { className: 'hint' }, 'Click the landscape to move it.');
  private readonly resetView = button('Reset view', '', () => this.events.resetView());
  private readonly chartXSelect = create('vscode-single-select', { className: 'chart-x' }) as VscodeSingleSelect;
  /** The runs' sections open, as "run index / section": they stay open when the runs are drawn again. */
  private readonly openSections = new Set<string>();

  constructor(private readonly events: ControlsEvents) {
    const changeLoss = button('Change loss…', 'change-loss', () => events.pickLoss());
    const addRun = button('Add optimizer', 'add-run', () => this.addRun());
    const resetStart = button('Default start', '', () => events.resetStart());
    const compare = button('Compare side by side', 'compare', () => events.compare(), { secondary: false });
    this.stepsField.addEventListener('input', () => this.emit());
    this.chartXSelect.append(create('vscode-option', { value: 'step' }, 'steps'), create('vscode-option', { value: 'samples' }, 'samples seen'));
    this.chartXSelect.addEventListener('change', () => events.chartX(this.chartXSelect.value === 'samples' ? 'samples' : 'step'));
    this.chartXSection.append(create('vscode-label', {}, 'Loss against'), this.chartXSelect);
    this.element.append(
      create('section', { className: 'loss' }, this.lossTitle, this.lossFormula, changeLoss),
      create('section', {}, create('h3', {}, 'Optimizers'), this.runList, addRun),
      create('section', { className: 'steps-row' }, create('vscode-label', {}, 'Steps'), this.stepsField),
      this.chartXSection,
      create('section', { className: 'start-row' }, create('span', {}, 'Start '), this.startText, this.landscapeHint, resetStart, this.resetView),
      create('section', {}, compare, ...exportButtons(events)),
    );
  }

  render(snapshot: Snapshot, scenario: Scenario, start: number[]): void {
    // A snapshot that says what the run editors show (edits included) keeps them: a field being typed in stays.
    const sameRuns = runEditorsKey(this.runs, this.optimizers, this.loss) === runEditorsKey(scenario.runs, snapshot.optimizers, snapshot.loss);
    this.optimizers = snapshot.optimizers;
    this.loss = snapshot.loss;
    this.chartXSection.hidden = !snapshot.loss.data;
    this.landscapeHint.hidden = snapshot.loss.network !== undefined;
    this.resetView.hidden = snapshot.loss.network !== undefined;
    this.chartXSelect.value = scenario.chartX ?? 'step';
    this.lossTitle.textContent = snapshot.loss.title;
    this.lossFormula.textContent = snapshot.loss.formula;
    this.steps.showValue(String(scenario.steps));
    this.showStart(start);
    if (sameRuns) return;
    this.runs = scenario.runs.map((run) => structuredClone(run));
    this.renderRuns();
  }

  showStart(start: number[]): void {
    this.startText.textContent = formatStart(start);
  }

  private renderRuns(): void {
    this.runList.replaceChildren(...this.runs.map((run, index) => this.runEditor(run, index)));
  }

  /** Whether a run's section was open, and hears when it opens or closes. */
  private sectionState(index: number, section: string): { open: boolean; toggled(open: boolean): void } {
    const key = `${index}/${section}`;
    return {
      open: this.openSections.has(key),
      toggled: (open) => (open ? this.openSections.add(key) : this.openSections.delete(key)),
    };
  }

  private addRun(): void {
    if (this.runs.length >= LIMITS.maxRuns || this.optimizers.length === 0) return;
    const used = new Set(this.runs.map((r) => r.optimizer));
    const next = this.optimizers.find((o) => !used.has(o.source ?? o.name)) ?? this.optimizers[0];
    this.runs.push({ optimizer: next.source ?? next.name, options: { ...next.defaults } });
    this.renderRuns();
    this.emit();
  }

  private runEditor(run: RunConfig, index: number): HTMLElement {
    const swatch = create('span', { className: 'swatch', title: runLabel(run, this.optimizers) });
    swatch.style.backgroundColor = runColor(index);
    const select = create('vscode-single-select', { className: 'optimizer' }) as VscodeSingleSelect;
    select.append(...optimizerChoices(this.optimizers).map((c) => create('vscode-option', { value: c.value, description: c.description }, c.label)));
    select.value = choiceOf(run, this.optimizers);
    select.addEventListener('change', () => {
      const switched = applyChoice(this.optimizers, run, select.value);
      if (!switched) return;
      this.runs[index] = switched;
      this.renderRuns();
      this.emit();
    });
    const remove = create('vscode-button', { secondary: true, className: 'remove-run', title: 'Remove this run', disabled: this.runs.length <= 1 }, '✕');
    remove.addEventListener('click', () => {
      this.runs.splice(index, 1);
      // The open sections of the runs after it move up with them.
      const moved = [...this.openSections].map((key) => key.split('/')).filter(([i]) => Number(i) !== index);
      this.openSections.clear();
      for (const [i, section] of moved) this.openSections.add(`${Number(i) > index ? Number(i) - 1 : i}/${section}`);
      this.renderRuns();
      this.emit();
    });
    const defaults = findOptimizer(this.optimizers, run.optimizer)?.defaults ?? {};
    const keys = Object.keys(defaults);
    const primary = keys.filter((k) => PRIMARY_OPTIONS.includes(k)).map((k) => this.optionField(run, k, defaults[k]));
    const more = collapsible(
      { heading: 'More options', className: 'more-options' },
      () => keys.filter((k) => !PRIMARY_OPTIONS.includes(k)).map((k) => this.optionField(run, k, defaults[k])),
      this.sectionState(index, 'more'),
    );
    return create('div', { className: 'run' }, create('div', { className: 'run-head' }, swatch, select, ...primary, remove), more, this.stochasticEditor(run, index));
  }

  /** Batch size, sampling, gradient noise, seed, learning-rate schedule, projection and a network's init seed of one run. */
  private stochasticEditor(run: RunConfig, index: number): HTMLElement {
    const section = collapsible(
      { heading: 'Stochastic & schedule', className: 'stochastic', description: stochasticSummary(run, this.loss) },
      () => this.stochasticFields(run, () => section.setAttribute('description', stochasticSummary(run, this.loss))),
      this.sectionState(index, 'stochastic'),
    );
    return section;
  }

  /**
   * The stochastic section's fields, showing what the run does: its own settings, else the loss's `stochastic` line's.
   * A value the line already gives is not kept on the run; another (0 or false included) overrides it. `refresh`
   * updates the summary.
   */
  private stochasticFields(run: RunConfig, refresh: () => void): HTMLElement[] {
    const inherited: StochasticSpec = this.loss?.stochastic ?? {};
    const shown = effectiveStochastic(run, this.loss);
    const setStochastic = (key: 'batchSize' | 'noise' | 'seed' | 'replacement', value: number | boolean) => {
      const next = { ...run.stochastic, [key]: value };
      if (value === (inherited[key] ?? (key === 'replacement' ? false : 0))) delete next[key];
      if (Object.keys(next).length) run.stochastic = next;
      else delete run.stochastic;
      refresh();
      this.emit();
    };
    const numberField = (name: string, key: 'batchSize' | 'noise' | 'seed', integerOnly: boolean, hint: string) =>
      this.textOption(name, String(shown[key] ?? 0), hint, (text) => {
        const value = Number(text);
        if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (integerOnly && !Number.isInteger(value))) return false;
        if (key === 'batchSize' && this.loss?.data && value > this.loss.data.count) return false;
        setStochastic(key, value);
        return true;
      });
    const fields: HTMLElement[] = [];
    if (this.loss?.data) {
      fields.push(numberField('batch size', 'batchSize', true, `samples per step, 0 = all ${this.loss.data.count}`));
      const replacement = create('vscode-checkbox', { label: 'with replacement', checked: shown.replacement === true, className: 'replacement' }) as VscodeCheckbox;
      replacement.addEventListener('change', () => setStochastic('replacement', replacement.checked));
      fields.push(create('div', { className: 'option' }, replacement));
    }
    fields.push(numberField('gradient noise', 'noise', false, 'standard deviation added to each gradient coordinate'));
    fields.push(numberField('seed', 'seed', true, 'the same seed gives the same run'));
    if (this.loss?.network) {
      // A network's run may start from its own initialization (init_seed= on its optimizer line); empty: the network line's seed.
      fields.push(this.textOption('init seed', run.initSeed === undefined ? '' : String(run.initSeed), "the network's initialization with this seed; empty: the network line's seed", (text) => {
        const value = Number(text);
        if (text.trim() === '') delete run.initSeed;
        else if (Number.isInteger(value) && value >= 0 && value <= LIMITS.maxSeed) run.initSeed = value;
        else return false;
        refresh();
        this.emit();
        return true;
      }));
    }
    const schedule = create('vscode-single-select', { className: 'schedule' }) as VscodeSingleSelect;
    schedule.append(...SCHEDULE_TYPES.map((type) => create('vscode-option', { value: type }, type)));
    schedule.value = run.schedule?.type ?? 'constant';
    const scheduleFields = create('div', { className: 'schedule-fields' });
    const renderScheduleFields = () => {
      const spec = run.schedule as Record<string, number> | undefined;
      scheduleFields.replaceChildren(
        ...Object.entries(SCHEDULE_FIELDS[run.schedule?.type ?? 'constant']).map(([key, fallback]) =>
          this.textOption(key, String(spec?.[key] ?? fallback), '', (text) => {
            const value = Number(text);
            if (text.trim() === '' || !Number.isFinite(value) || !run.schedule) return false;
            run.schedule = { ...run.schedule, [key]: value } as ScheduleSpec;
            this.emit();
            return true;
          }),
        ),
      );
    };
    schedule.addEventListener('change', () => {
      const type = schedule.value as ScheduleSpec['type'];
      if (type === 'constant') delete run.schedule;
      else run.schedule = { type, ...SCHEDULE_FIELDS[type] } as ScheduleSpec;
      renderScheduleFields();
      refresh();
      this.emit();
    });
    renderScheduleFields();
    fields.push(create('label', { className: 'option' }, create('span', { className: 'option-name' }, 'lr schedule'), schedule), scheduleFields);
    if (this.loss?.online || run.project) {
      const fallback = this.loss?.online?.projection[0];
      fields.push(
        this.textOption('project onto', (run.project?.[0] ?? fallback ?? []).join(', '), 'x is clipped to [lo, hi] after every step; empty: the loss\'s own box, if it has one', (text) => {
          if (text.trim() === '') {
            delete run.project;
            this.emit();
            return true;
          }
          const [lo, hi, extra] = text.split(/[,\s]+/).filter((p) => p !== '').map(Number);
          if (extra !== undefined || !(lo < hi)) return false;
          run.project = [[lo, hi]];
          this.emit();
          return true;
        }),
      );
    }
    return fields;
  }

  /** A labelled text field; `apply` takes the text and says whether it was valid. */
  private textOption(name: string, value: string, hint: string, apply: (text: string) => boolean): HTMLElement {
    const field = create('vscode-textfield', { value, className: `option-${name.replace(/\s+/g, '-')}`, title: hint }) as VscodeTextfield;
    field.addEventListener('input', () => (field.invalid = !apply(field.value)));
    return create('label', { className: 'option' }, create('span', { className: 'option-name', title: hint }, name), field);
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
    const validSteps = Number.isInteger(steps) && steps >= 1 && steps <= LIMITS.panelMaxSteps;
    this.stepsField.invalid = !validSteps;
    if (!validSteps) return;
    this.events.changed(this.runs.map((run) => structuredClone(run)), steps);
  }
}
