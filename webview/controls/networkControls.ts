// A network's controls in the Playground: the generated data set (noise, samples), the hidden widths, activation,
// initialization, batch norm, loss, seed and batch size. Each change goes to the host as one edit of the .loss text's
// line (the file's, when the panel came from one), and the panel re-runs with it.
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { GENERATOR_NAMES, MAX_SAMPLES, type GeneratorName } from '../../src/shared/datasets';
import { ACTIVATIONS, INIT_SCHEMES, NETWORK_LIMITS, NETWORK_LOSSES } from '../../src/shared/network';
import { readNetworkControls, type NetworkEdit } from '../../src/shared/networkEdits';
import { LIMITS } from '../../src/shared/limits';
import { create, keepTyping } from '../dom/elements';

/** The hidden widths as typed ("16-16", "16, 16" or "16 16"; empty: none), undefined when one is not a width. */
export function parseHidden(text: string): number[] | undefined {
  const parts = text.split(/[-,\s]+/).filter((p) => p !== '');
  const widths = parts.map(Number);
  const fits = widths.every((w) => Number.isInteger(w) && w >= 1 && w <= NETWORK_LIMITS.width) && widths.length <= NETWORK_LIMITS.layers - 1;
  return fits ? widths : undefined;
}

/** A whole number in [min, max] as typed, or undefined. */
function wholeNumber(text: string, min: number, max: number): number | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** A text field showing a value of the file (see NetworkControls.field). */
type FileField = VscodeTextfield & { showValue(value: string): void };

export class NetworkControls {
  readonly element = create('section', { className: 'network-controls', hidden: true });
  private readonly dataset = this.select('dataset', GENERATOR_NAMES, (value) => ({ field: 'dataset', value: value as GeneratorName }));
  private readonly noise = this.field('noise', 'std of the noise added to the inputs', (text) => {
    const value = Number(text);
    return text.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 10 ? { field: 'noise', value } : undefined;
  });
  private readonly samples = this.field('samples', `samples generated (2 to ${MAX_SAMPLES}), a test split held out`, (text) => {
    const value = wholeNumber(text, 2, MAX_SAMPLES);
    return value === undefined ? undefined : { field: 'samples', value };
  });
  private readonly hidden = this.field('hidden', 'the hidden layers\' widths, as 16-16 (empty: none)', (text) => {
    const value = parseHidden(text);
    return value === undefined ? undefined : { field: 'hidden', value };
  });
  private readonly activation = this.select('activation', ACTIVATIONS, (value) => ({ field: 'activation', value: value as (typeof ACTIVATIONS)[number] }));
  private readonly init = this.select('init', INIT_SCHEMES, (value) => ({ field: 'init', value: value as (typeof INIT_SCHEMES)[number] }));
  private readonly loss = this.select('loss', NETWORK_LOSSES, (value) => ({ field: 'loss', value: value as (typeof NETWORK_LOSSES)[number] }));
  private readonly batchnorm = create('vscode-checkbox', { label: 'batch norm', className: 'net-batchnorm' }) as VscodeCheckbox;
  private readonly seed = this.field('seed', 'the initialization\'s seed', (text) => {
    const value = wholeNumber(text, 0, LIMITS.maxSeed);
    return value === undefined ? undefined : { field: 'seed', value };
  });
  private readonly batch = this.field('batch', 'samples per step (0: the full batch)', (text) => {
    const value = wholeNumber(text, 0, LIMITS.maxBatchSize);
    return value === undefined ? undefined : { field: 'batch', value };
  });
  private readonly dataRows: HTMLElement[];

  constructor(private readonly edit: (edit: NetworkEdit) => void) {
    this.batchnorm.addEventListener('change', () => edit({ field: 'batchnorm', value: this.batchnorm.checked }));
    const row = (name: string, control: HTMLElement) => create('label', { className: 'option' }, create('span', { className: 'option-name' }, name), control);
    this.dataRows = [row('data set', this.dataset), row('noise', this.noise), row('samples', this.samples)];
    this.element.append(
      create('h3', {}, 'Network'),
      ...this.dataRows,
      row('hidden widths', this.hidden),
      row('activation', this.activation),
      row('init', this.init),
      row('loss', this.loss),
      create('div', { className: 'option' }, this.batchnorm),
      row('seed', this.seed),
      row('batch size', this.batch),
    );
  }

  /** Shows the values of a network's .loss text; hidden for any other loss. */
  render(network: boolean, text: string): void {
    this.element.hidden = !network;
    if (!network) return;
    const values = readNetworkControls(text);
    for (const row of this.dataRows) row.hidden = values.dataset === undefined;
    if (values.dataset) this.dataset.value = values.dataset;
    this.noise.showValue(String(values.noise ?? ''));
    this.samples.showValue(String(values.samples ?? 200));
    this.hidden.showValue((values.widths ?? []).slice(1, -1).join('-'));
    this.activation.value = values.activation ?? 'tanh';
    this.init.value = values.init ?? 'default';
    this.loss.value = values.loss ?? 'mse';
    this.batchnorm.checked = values.batchnorm === true;
    this.seed.showValue(String(values.seed ?? 0));
    this.batch.showValue(String(values.batch ?? 0));
  }

  private select(name: string, values: readonly string[], toEdit: (value: string) => NetworkEdit): VscodeSingleSelect {
    const select = create('vscode-single-select', { className: `net-${name}` }) as VscodeSingleSelect;
    select.append(...values.map((value) => create('vscode-option', { value }, value)));
    select.addEventListener('change', () => this.edit(toEdit(select.value)));
    return select;
  }

  /**
   * A text field sent when committed (Enter or leaving it); marked invalid, and not sent, when it does not parse.
   * The file's value does not replace what the user is typing (see keepTyping).
   */
  private field(name: string, hint: string, toEdit: (text: string) => NetworkEdit | undefined): FileField {
    const field = create('vscode-textfield', { className: `net-${name}`, title: hint }) as VscodeTextfield;
    const shown = keepTyping(field);
    field.addEventListener('input', () => (field.invalid = toEdit(field.value) === undefined));
    field.addEventListener('change', () => {
      const edit = toEdit(field.value);
      if (edit) this.edit(edit);
    });
    return Object.assign(field, {
      showValue(value: string) {
        if (shown.showValue(value)) field.invalid = false;
      },
    });
  }
}
