// Compare's "values of one option" form: a run, one of its numeric options and the values to try
// (e.g. lr = 0.001, 0.003, 0.01, 0.03, 0.1), shown as one landscape per value.
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { OptimizerInfo } from '../../src/shared/engineApi';
import type { Scenario } from '../../src/shared/protocol';
import { runLabel } from '../../src/shared/scenario';
import { create, keepTyping } from '../dom/elements';
import { defaultSweepValues, parseSweepValues, sweepableOptions, sweepScenario } from '../../src/shared/sweep';

function options(select: VscodeSingleSelect, items: { value: string; label: string }[]): void {
  select.replaceChildren(...items.map((item) => create('vscode-option', { value: item.value }, item.label)));
}

export class SweepForm {
  readonly element = document.createElement('div');
  private readonly runSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
  private readonly optionSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
  private readonly valuesField = document.createElement('vscode-textfield') as VscodeTextfield;
  private scenario: Scenario | undefined;
  private optimizers: OptimizerInfo[] = [];
  /** Kept here: a select's value reads empty until its new options have rendered. */
  private run = 0;
  private option = '';
  private readonly values = keepTyping(this.valuesField);

  constructor(private readonly show: (scenario: Scenario) => void) {
    this.element.className = 'sweep-form';
    this.runSelect.className = 'sweep-run';
    this.runSelect.title = 'The run whose option varies';
    this.optionSelect.className = 'sweep-option';
    this.optionSelect.title = 'The option to vary';
    this.valuesField.className = 'sweep-values';
    this.valuesField.title = 'One landscape per value (comma-separated)';
    const go = Object.assign(document.createElement('vscode-button'), { className: 'sweep-go', secondary: true, textContent: 'Compare values' });
    go.addEventListener('click', () => this.submit());
    this.valuesField.addEventListener('keydown', (event) => event.key === 'Enter' && this.submit());
    this.valuesField.addEventListener('input', () => (this.valuesField.invalid = typeof parseSweepValues(this.valuesField.value) === 'string'));
    this.runSelect.addEventListener('change', () => {
      this.run = Number(this.runSelect.value) || 0;
      this.renderOptions();
    });
    this.optionSelect.addEventListener('change', () => {
      this.option = this.optionSelect.value;
      this.renderValues();
    });
    const text = (textContent: string) => Object.assign(document.createElement('span'), { textContent });
    this.element.append(text('Vary'), this.optionSelect, text('of'), this.runSelect, text('over'), this.valuesField, go);
  }

  /** The scenario's runs to pick from; the run and option picked stay while the new scenario still has them. */
  render(scenario: Scenario, optimizers: OptimizerInfo[]): void {
    this.scenario = scenario;
    this.optimizers = optimizers;
    options(this.runSelect, scenario.runs.map((run, i) => ({ value: String(i), label: runLabel(run, optimizers) })));
    if (this.run >= scenario.runs.length) this.run = 0;
    this.runSelect.value = String(this.run);
    this.renderOptions();
  }

  private renderOptions(): void {
    const run = this.scenario?.runs[this.run];
    const names = run ? sweepableOptions(this.optimizers, run) : [];
    options(this.optionSelect, names.map((name) => ({ value: name, label: name })));
    if (!names.includes(this.option)) this.option = names[0] ?? '';
    this.optionSelect.value = this.option;
    this.renderValues();
  }

  private renderValues(): void {
    const current = this.scenario?.runs[this.run]?.options[this.option];
    if (this.values.showValue(typeof current === 'number' ? defaultSweepValues(current).join(', ') : '')) this.valuesField.invalid = false;
  }

  private submit(): void {
    if (!this.scenario) return;
    const values = parseSweepValues(this.valuesField.value);
    this.valuesField.invalid = typeof values === 'string';
    if (typeof values === 'string') {
      this.valuesField.title = values;
      return;
    }
    try {
      this.show(sweepScenario(this.scenario, this.optimizers, { run: this.run, option: this.option, values }));
    } catch (error) {
      this.valuesField.invalid = true;
      this.valuesField.title = error instanceof Error ? error.message : String(error);
    }
  }
}
