// The inspector: the paused run's parameters, loss, gradient, optimizer state, step and Hessian eigenvalues at the
// step shown (asked of the host a moment after the step settles; only the newest answer is shown).
import type { InspectorData } from '../../src/shared/protocol';
import { factorKeys, groupParamNames } from '../../src/shared/network';
import { formatNumber } from '../../src/shared/scenario';
import { create } from '../dom/elements';
import { safeMath } from './mathml';

/** Scrubbing asks for one step, once it rests this long (ms). */
const INSPECT_DELAY_MS = 30;

export class Inspector {
  readonly element = create('div', { className: 'inspector', hidden: true });
  private token = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The parameter whose values the equations show (kept while scrubbing, and across a reload through `remember`). */
  private coordinate: string;

  constructor(
    private readonly ask: (run: number, step: number) => Promise<InspectorData>,
    private readonly remember?: { initial: string; save(param: string): void },
  ) {
    this.coordinate = remember?.initial ?? '';
  }

  /** Shows `run` at `step` shortly (a newer call replaces it). */
  inspectSoon(run: number, step: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.inspect(run, step), INSPECT_DELAY_MS);
  }

  /** Shows the run's values at a step. */
  async inspect(run: number, step: number): Promise<void> {
    const token = ++this.token;
    try {
      const data = await this.ask(run, step);
      if (token === this.token) this.render(data);
    } catch (error) {
      if (token === this.token) this.element.replaceChildren(create('div', { className: 'inspector-error', textContent: error instanceof Error ? error.message : String(error) }));
    }
  }

  private render(data: InspectorData): void {
    const tensors = groupParamNames(Object.keys(data.params));
    if (tensors) {
      this.renderNetwork(data, tensors);
      return;
    }
    const rows: [string, number][] = [
      ...Object.entries(data.params),
      ['loss', data.loss],
      ['‖∇‖', data.gradNorm],
      ...Object.entries(data.grad).map(([p, v]): [string, number] => [`grad_${p}`, v]),
      ...Object.entries(data.state),
      ['lr', data.lr],
      ...Object.entries(data.effectiveStep ?? {}).map(([p, v]): [string, number] => [`Δ${p}`, v]),
      ...data.hessianEigenvalues.map((v, k): [string, number] => [`λ${k + 1}(H)`, v]),
    ];
    this.element.replaceChildren(
      create('h3', {}, `Inspector: ${data.label} at step ${data.step}`),
      create('table', { className: 'inspector-table' },
        ...rows.map(([name, value]) => create('tr', { className: 'inspector-row' },
          create('th', { textContent: name }),
          create('td', { textContent: formatNumber(value), title: String(value) }),
        )),
      ),
      ...this.equations(data),
    );
  }

  /**
   * A network: loss, gradient norm, lr and the optimizer's scalars, then a section per tensor (W1, b1, bn1.weight, ...)
   * with a row per parameter: its value, gradient, optimizer state and step. No Hessian: the core has none for networks.
   */
  private renderNetwork(data: InspectorData, tensors: { name: string; members: string[] }[]): void {
    const stateNames = [...new Set(Object.keys(data.state).flatMap((key) => {
      const param = tensors[0].members.find((m) => key.endsWith(`_${m}`));
      return param ? [key.slice(0, -param.length - 1)] : [];
    }))];
    const factors = new Map(tensors.map(({ name }) => [name, factorKeys(Object.keys(data.state), name)]));
    const perParam = new Set([
      ...Object.keys(data.state).filter((key) => stateNames.some((s) => key.startsWith(`${s}_`) && `${key.slice(s.length + 1)}` in data.params)),
      ...[...factors.values()].flat(),
    ]);
    const scalars: [string, number][] = [
      ['loss', data.loss],
      ['‖∇‖', data.gradNorm],
      ['lr', data.lr],
      ...Object.entries(data.state).filter(([key]) => !perParam.has(key)),
    ];
    const cell = (value: number | undefined) => create('td', { textContent: value === undefined ? '' : formatNumber(value), title: String(value ?? '') });
    const columns = ['value', 'grad', ...stateNames, ...(data.effectiveStep ? ['Δ'] : [])];
    const sections = tensors.map(({ name, members }, index) => create('details', { className: 'inspector-tensor', open: index === 0 },
      create('summary', { textContent: `${name} · ${members.length} parameter${members.length === 1 ? '' : 's'}` }),
      create('table', { className: 'inspector-table' },
        create('tr', {}, create('th', {}), ...columns.map((c) => create('th', { textContent: c, className: 'inspector-column' }))),
        ...members.map((m) => create('tr', { className: 'inspector-row' },
          create('th', { textContent: m }),
          cell(data.params[m]),
          cell(data.grad[m]),
          ...stateNames.map((s) => cell(data.state[`${s}_${m}`])),
          ...(data.effectiveStep ? [cell(data.effectiveStep[m])] : []),
        )),
      ),
      // a factored state (Adafactor's row_var, col_var): one value per row or column of the tensor
      ...(factors.get(name)!.length > 0 ? [create('table', { className: 'inspector-table' },
        ...factors.get(name)!.map((key) => create('tr', { className: 'inspector-row' }, create('th', { textContent: key }), cell(data.state[key]))))] : []),
    ));
    this.element.replaceChildren(
      create('h3', {}, `Inspector: ${data.label} at step ${data.step}`),
      create('table', { className: 'inspector-table' },
        ...scalars.map(([name, value]) => create('tr', { className: 'inspector-row' }, create('th', { textContent: name }), cell(value))),
      ),
      ...sections,
      create('p', { className: 'inspector-note', textContent: 'No Hessian for networks: the engine computes none for them.' }),
      ...this.equations(data),
    );
  }

  /**
   * The update rule typeset on the host with this step's values (one coordinate at a time: a button per parameter
   * picks it). Nothing is computed here; markup that is not MathML is left out.
   */
  private equations(data: InspectorData): HTMLElement[] {
    const equations = data.equations;
    if (!equations || equations.coordinates.length === 0) return [];
    const section = create('section', { className: 'inspector-equations' });
    const show = (param: string) => {
      if (param !== this.coordinate) this.remember?.save(param);
      this.coordinate = param;
      const shown = equations.coordinates.find((c) => c.param === param) ?? equations.coordinates[0];
      const picker = equations.coordinates.length > 1
        ? [create('div', { className: 'inspector-equation-coordinates' }, ...equations.coordinates.map((c) => {
          const choice = create('button', { className: 'inspector-equation-coordinate', textContent: c.param, type: 'button' });
          choice.setAttribute('aria-pressed', String(c === shown));
          choice.addEventListener('click', () => show(c.param));
          return choice;
        }))]
        : [];
      section.replaceChildren(
        create('h4', { textContent: `Update rule: ${equations.title}${shown.param ? ` (coordinate ${shown.param})` : ''}` }),
        ...picker,
        ...(equations.message ? [create('p', { className: 'inspector-note', textContent: equations.message })] : []),
        ...shown.lines.flatMap((line) => {
          const math = safeMath(line.mathml);
          return math ? [create('div', { className: 'inspector-equation' }, ...(line.note ? [create('span', { className: 'inspector-equation-note', textContent: line.note })] : []), math)] : [];
        }),
      );
    };
    show(this.coordinate);
    return [section];
  }
}
