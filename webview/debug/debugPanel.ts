// Breakpoints on training steps: the list (conditions in the loss language, scope, hits, on/off), "Break on
// divergence", the paused banner with its controls, and the inspector of the paused run (inspector.ts).
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { DebugAction, InspectorData, PanelBreakpoint, PanelBreakpoints, SessionView, WebviewRequests } from '../../src/shared/protocol';
import { button, create } from '../dom/elements';
import { Inspector } from './inspector';

const CHECK_DELAY_MS = 150;
const STEP_BREAKPOINT = /^\s*step\s*==\s*(\d+)\s*$/;

/** What the panel asks of the host and tells it. */
export interface DebugChannel {
  /** Saves the list with the panel's state (restored after a reload). */
  saveBreakpoints(breakpoints: PanelBreakpoints): void;
  /** Tells the host the list (it sets them on the session). */
  sendBreakpoints(breakpoints: PanelBreakpoints): void;
  /** Continue, step, step back, run to a step, restart, stop. */
  control(action: DebugAction, extra: { step?: number; count?: number }): void;
  inspect(run: number, step: number): Promise<InspectorData>;
  /** The inspector's equation coordinate: saved with the panel's state, and the one saved before a reload. */
  saveInspectorCoordinate(param: string): void;
  savedInspectorCoordinate(): string | undefined;
  checkCondition(condition: string, run: number | null): Promise<WebviewRequests['checkCondition']['reply']>;
}

export class DebugPanel {
  /** The breakpoints list and the inspector (in the controls column). */
  readonly element = create('section', { className: 'debug' });
  /** The paused banner and the session's controls (over the landscape). */
  readonly banner = create('div', { className: 'debug-banner', hidden: true });
  private readonly bannerText = create('span', { className: 'debug-banner-text' });
  private readonly conditionField = create('vscode-textfield', { className: 'bp-condition', placeholder: 'loss < 1e-3' }) as VscodeTextfield;
  private readonly scopeSelect = create('vscode-single-select', { className: 'bp-scope' }) as VscodeSingleSelect;
  private readonly diagnostic = create('div', { className: 'bp-diagnostic' });
  private readonly list = create('ul', { className: 'bp-list' });
  private readonly divergence = create('input', { type: 'checkbox', className: 'bp-divergence', checked: true });
  private readonly stepCount = create('input', { type: 'number', className: 'debug-step-count', min: '1', value: '10', title: 'Steps for "Step N"' });
  private readonly inspector: Inspector;
  private breakpoints: PanelBreakpoints = { list: [], breakOnDivergence: true };
  private runLabels: string[] = [];
  private checkTimer: ReturnType<typeof setTimeout> | undefined;
  private checkToken = 0;
  session: SessionView | null = null;

  constructor(
    private readonly channel: DebugChannel,
    private readonly events: {
      /** The list changed (redraw the chart's step markers). */
      changed(): void;
      /** The step shown in the panel (for "Run to step"). */
      shownStep(): number;
    },
  ) {
    this.inspector = new Inspector((run, step) => channel.inspect(run, step), {
      initial: channel.savedInspectorCoordinate() ?? '',
      save: (param) => channel.saveInspectorCoordinate(param),
    });
    const add = button('Add', 'bp-add', () => this.addFromField(), { secondary: false });
    this.conditionField.addEventListener('input', () => this.scheduleCheck());
    this.conditionField.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') this.addFromField();
    });
    this.scopeSelect.addEventListener('change', () => this.scheduleCheck());
    this.divergence.addEventListener('change', () => {
      this.breakpoints.breakOnDivergence = this.divergence.checked;
      this.commit();
    });
    const divergenceLabel = create('label', { className: 'bp-divergence-label' }, this.divergence, ' Break on divergence (non-finite values)');
    this.element.append(
      create('h3', {}, 'Breakpoints'),
      create('div', { className: 'bp-add-row' }, this.conditionField, add),
      create('div', { className: 'bp-scope-row' }, create('span', {}, 'Applies to '), this.scopeSelect),
      this.diagnostic,
      this.list,
      divergenceLabel,
      create('div', { className: 'bp-hint', textContent: 'Click the loss chart’s step axis (or Alt+click the scrubber) to toggle a breakpoint at that step.' }),
      this.inspector.element,
    );
    const control = (action: DebugAction, extra: { step?: number; count?: number } = {}) => () => this.control(action, extra);
    this.banner.append(
      this.bannerText,
      create('span', { className: 'debug-buttons' },
        button('Continue', 'debug-continue', control('continue'), { secondary: false }),
        button('Step', 'debug-step', control('step')),
        this.stepCount,
        button('Step N', 'debug-step-n', () => this.control('step', { count: Math.max(1, Math.floor(Number(this.stepCount.value) || 1)) })),
        button('Step back', 'debug-step-back', control('stepBack')),
        button('Run to step', 'debug-run-to', () => this.control('runTo', { step: this.events.shownStep() })),
        button('Restart', 'debug-restart', control('restart')),
        button('Stop', 'debug-stop', control('stop')),
      ),
    );
  }

  get active(): boolean {
    return this.session !== null;
  }

  /** Steps with a `step == k` breakpoint that is on. */
  stepBreakpoints(): number[] {
    return this.breakpoints.list.filter((b) => b.enabled).map((b) => STEP_BREAKPOINT.exec(b.condition)?.[1]).filter((s): s is string => s !== undefined).map(Number);
  }

  /** Restores a saved list (after a reload) and tells the host. */
  restore(saved: PanelBreakpoints | undefined): void {
    if (!saved) return;
    this.breakpoints = structuredClone(saved);
    this.divergence.checked = saved.breakOnDivergence;
    this.renderList();
    this.channel.saveBreakpoints(this.breakpoints);
    if (saved.list.length > 0 || !saved.breakOnDivergence) this.channel.sendBreakpoints(this.breakpoints);
  }

  setRuns(labels: string[]): void {
    this.runLabels = labels;
    const options = [{ value: 'all', label: 'All runs' }, ...labels.map((label, i) => ({ value: String(i), label }))];
    const selected = this.scopeSelect.value || 'all';
    this.scopeSelect.replaceChildren(...options.map((o) => create('vscode-option', { value: o.value }, o.label)));
    this.scopeSelect.value = options.some((o) => o.value === selected) ? selected : 'all';
    this.breakpoints.list = this.breakpoints.list.filter((b) => b.run === null || b.run < labels.length);
    this.renderList();
  }

  /** A `step == k` breakpoint on, or off when there is one. */
  toggleStep(step: number): void {
    const existing = this.breakpoints.list.findIndex((b) => Number(STEP_BREAKPOINT.exec(b.condition)?.[1]) === step);
    if (existing >= 0) this.breakpoints.list.splice(existing, 1);
    else this.breakpoints.list.push({ condition: `step == ${step}`, enabled: true, run: null });
    this.commit();
  }

  /** The host's session view (null: none). */
  setSession(view: SessionView | null): void {
    this.session = view;
    this.banner.hidden = view === null;
    this.banner.classList.toggle('running', view?.running ?? false);
    this.bannerText.textContent = view ? (view.running ? 'Running…' : view.banner) : '';
    this.inspector.element.hidden = view === null;
    this.renderList();
  }

  /** Inspects the paused session's focused run at the step shown (at most as far as that run went). */
  inspectShownStep(shownStep: number): void {
    const session = this.session;
    if (!session || session.running) return;
    const run = session.focusRun;
    this.inspector.inspectSoon(run, Math.min(Math.floor(shownStep), session.positions[run]?.engineStep ?? 0));
  }

  /** A keybinding while a session is shown: forward steps, back steps back, toggle continues. */
  keyAction(action: 'toggle' | 'forward' | 'back'): void {
    this.control(action === 'toggle' ? (this.session?.running ? 'pause' : 'continue') : action === 'forward' ? 'step' : 'stepBack');
  }

  private control(action: DebugAction, extra: { step?: number; count?: number } = {}): void {
    this.channel.control(action, extra);
  }

  private addFromField(): void {
    const condition = this.conditionField.value.trim();
    if (!condition) return;
    const scope = this.scopeSelect.value;
    this.breakpoints.list.push({ condition, enabled: true, run: scope === 'all' || scope === '' ? null : Number(scope) });
    this.conditionField.value = '';
    this.diagnostic.textContent = '';
    this.commit();
  }

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => void this.check(), CHECK_DELAY_MS);
  }

  private async check(): Promise<void> {
    const condition = this.conditionField.value;
    const token = ++this.checkToken;
    if (condition.trim() === '') {
      this.diagnostic.textContent = '';
      return;
    }
    const scope = this.scopeSelect.value;
    try {
      const diagnostics = await this.channel.checkCondition(condition, scope === 'all' || scope === '' ? null : Number(scope));
      if (token !== this.checkToken) return;
      const first = diagnostics[0];
      this.diagnostic.className = `bp-diagnostic ${first?.severity ?? ''}`;
      this.diagnostic.textContent = first ? `${first.message} (column ${first.start + 1})` : '';
    } catch (error) {
      if (token === this.checkToken) this.diagnostic.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private commit(): void {
    this.renderList();
    this.channel.saveBreakpoints(this.breakpoints);
    this.channel.sendBreakpoints(structuredClone(this.breakpoints));
    this.events.changed();
  }

  private renderList(): void {
    this.list.replaceChildren(...this.breakpoints.list.map((b, i) => this.renderItem(b, i)));
  }

  private renderItem(b: PanelBreakpoint, index: number): HTMLLIElement {
    const result = this.session?.breakpoints[index];
    const enabled = create('input', { type: 'checkbox', className: 'bp-enabled', checked: b.enabled, title: 'On / off' });
    enabled.addEventListener('change', () => {
      b.enabled = enabled.checked;
      this.commit();
    });
    const remove = create('button', { className: 'bp-remove', title: 'Remove', textContent: '×' });
    remove.addEventListener('click', () => {
      this.breakpoints.list.splice(index, 1);
      this.commit();
    });
    const scope = b.run === null ? 'all runs' : (this.runLabels[b.run] ?? `run ${b.run + 1}`);
    const item = create('li', { className: `bp-item${result && !result.verified ? ' unverified' : ''}` },
      enabled,
      create('code', { className: 'bp-text', textContent: b.condition }),
      create('span', { className: 'bp-scope-text', textContent: scope }),
      create('span', { className: 'bp-hits', textContent: result ? `hits ${result.hits}` : '' }),
      remove,
    );
    if (result?.message) item.append(create('div', { className: 'bp-message', textContent: result.message }));
    return item;
  }
}
