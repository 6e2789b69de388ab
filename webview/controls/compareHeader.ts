// Compare's header: the loss, the start, the table's tolerance, Tune learning rates, the export buttons, the
// "values of one option" form and the view toggles.
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { OptimizerInfo } from '../../src/shared/engineApi';
import type { Scenario } from '../../src/shared/protocol';
import { formatStart } from '../../src/shared/scenario';
import { button, create } from '../dom/elements';
import { exportButtons } from '../export/exportButtons';
import { SweepForm } from './sweepForm';

export interface CompareHeaderEvents {
  /** A valid tolerance (> 0) was typed. */
  toleranceChanged(tolerance: number): void;
  tune(): void;
  exportPlot(): void;
  exportAnimation(): void;
  /** Compare these scenarios side by side (one per value of an option). */
  sweep(scenario: Scenario): void;
}

export class CompareHeader {
  readonly element = create('div', { className: 'compare-header' });
  private readonly title = create('div', { className: 'compare-title' });
  private readonly startText = create('span', { className: 'start-text' });
  private readonly sweepForm: SweepForm;

  /** `toolbar`: the view toggles, shown last. */
  constructor(events: CompareHeaderEvents, tolerance: number, toolbar: HTMLElement) {
    const toleranceField = create('vscode-textfield', { className: 'tolerance', value: String(tolerance) }) as VscodeTextfield;
    toleranceField.addEventListener('input', () => {
      const value = Number(toleranceField.value);
      toleranceField.invalid = !(value > 0);
      if (value > 0) events.toleranceChanged(value);
    });
    const tune = button('Tune learning rates', 'tune', () => events.tune(), { secondary: false, title: 'Search learning rates for each run in the engine and show each at its best' });
    this.sweepForm = new SweepForm((swept) => events.sweep(swept));
    this.element.append(
      this.title,
      this.startText,
      create('label', { className: 'tolerance-label' }, 'tolerance ', toleranceField),
      tune,
      ...exportButtons(events),
      this.sweepForm.element,
      toolbar,
    );
  }

  showLoss(title: string, formula: string): void {
    this.title.textContent = `${title}: ${formula}`;
  }

  showStart(start: number[]): void {
    this.startText.textContent = `start ${formatStart(start)}`;
  }

  /** The sweep form offers the scenario's runs and their options. */
  showScenario(scenario: Scenario, optimizers: OptimizerInfo[]): void {
    this.sweepForm.render(scenario, optimizers);
  }
}
