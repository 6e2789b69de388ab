// The Playground's side of a training session: the panel's breakpoints (source 'panel'), its controls, the
// inspector, and what the webview draws while the session is paused. The session may come from the debugger.
import type { Engine, RunStatus } from '../shared/engineApi';
import { conditionNamesFor } from '../engine/breakpoints';
import { checkCondition } from '../loss/conditions';
import type { BreakpointResult, TrainingSession } from '../session/trainingSession';
import type { DebugAction, InspectorData, PanelBreakpoints, Scenario, SessionView, ToWebview } from '../shared/protocol';
import { drawnAverage, optimizerName, scenarioKey } from '../shared/scenario';
import { runEquations } from '../session/inspectorEquations';
import { plottedEvaluations } from './runStream';

export const PANEL_SOURCE = 'panel';

type ConditionDiagnostic = { message: string; severity: 'error' | 'warning'; start: number; end: number };

/** The session runs exactly the panel's scenario: every field the engine is given (labels too: legends show them). */
function sameRuns(a: Scenario, b: Scenario): boolean {
  const engineFields = ({ view: _view, chartX: _chartX, lesson: _lesson, ...run }: Scenario) => run;
  return scenarioKey(engineFields(a)) === scenarioKey(engineFields(b));
}

export class PanelSession {
  private session: TrainingSession | undefined;
  /** Started by this panel (and ended with it), or bound from elsewhere (the debugger). */
  private owned = false;
  private subscriptions: { dispose(): void }[] = [];
  private breakpoints: PanelBreakpoints = { list: [], breakOnDivergence: true };
  private results: BreakpointResult[] = [];

  constructor(
    private readonly post: (message: ToWebview) => void,
    private readonly start: ((scenario: Scenario) => Promise<TrainingSession>) | undefined,
    private readonly engine: () => Engine,
    private readonly scenario: () => Scenario,
  ) {}

  get current(): TrainingSession | undefined {
    return this.session;
  }

  /** Shows (and drives) this session; the panel's breakpoints join its own. */
  async bind(session: TrainingSession, owned: boolean): Promise<void> {
    if (this.session === session) return;
    this.unbind();
    this.session = session;
    this.owned = owned;
    const push = () => this.push();
    this.subscriptions = [
      session.onDidStop(push),
      session.onDidChange(push),
      session.onDidContinue(push),
      session.onDidDispose(() => {
        if (this.session !== session) return;
        this.session = undefined;
        this.subscriptions = [];
        this.post({ type: 'session', session: null });
      }),
    ];
    await this.apply();
  }

  unbind(): void {
    const session = this.session;
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.session = undefined;
    this.results = [];
    if (session && this.owned) void session.dispose();
    else if (session) void session.setBreakpoints(PANEL_SOURCE, []).catch(() => undefined);
    this.post({ type: 'session', session: null });
  }

  /** The panel's list changed: check it in the session (starting one when there is none). */
  async setBreakpoints(breakpoints: PanelBreakpoints): Promise<void> {
    this.breakpoints = breakpoints;
    if (this.session) {
      await this.apply();
      return;
    }
    if (!this.start || !breakpoints.list.some((b) => b.enabled && b.condition.trim() !== '')) return;
    const session = await this.start(this.scenario());
    await this.bind(session, true);
    await session.continue();
  }

  /** The panel's scenario changed: a session of other runs no longer fits it. */
  async scenarioChanged(scenario: Scenario): Promise<void> {
    const session = this.session;
    if (!session || sameRuns(scenario, session.scenario)) return;
    const owned = this.owned;
    this.unbind();
    if (owned) await this.setBreakpoints(this.breakpoints);
  }

  async control(action: DebugAction, step?: number, count?: number): Promise<void> {
    const session = this.session;
    if (!session) {
      if (action === 'restart' || action === 'continue') await this.setBreakpoints(this.breakpoints);
      return;
    }
    switch (action) {
      case 'continue': return session.continue();
      case 'step': return session.step(undefined, count ?? 1);
      case 'stepBack': return session.stepBack();
      case 'runTo': return session.runTo(step ?? 0);
      case 'restart': return session.restart().then(() => session.continue());
      case 'pause': return session.pause();
      case 'stop': return this.unbind();
    }
  }

  async inspect(run: number, step: number): Promise<InspectorData> {
    const session = this.session;
    if (!session) throw new Error('No training session: add a breakpoint to start one');
    const { hessian: _, ...state } = await session.inspect(run, step);
    const spec = session.scenario.runs[run];
    return { ...state, label: session.positions()[run].label, ...(await runEquations(spec, state)) };
  }

  /** Diagnostics for a condition as it is typed: errors when no run in scope can use it, a warning when some cannot. */
  async checkCondition(condition: string, run: number | null): Promise<ConditionDiagnostic[]> {
    const scenario = this.scenario();
    const { params } = await this.engine().lossInfo(scenario.loss, scenario.lossParams);
    const runs = run === null ? scenario.runs.map((_, i) => i) : [run];
    const problems = runs.map((i) => {
      const r = scenario.runs[i];
      if (!r) return [{ message: `There is no run ${i + 1}`, severity: 'error' as const, range: { start: { line: 0, character: 0 }, end: { line: 0, character: condition.length } } }];
      return checkCondition(condition, conditionNamesFor(params, r.optimizer, r.options));
    });
    const toOffsets = (d: (typeof problems)[number][number], severity: 'error' | 'warning', prefix = ''): ConditionDiagnostic => ({
      message: prefix + d.message, severity, start: d.range.start.character, end: d.range.end.character,
    });
    const failing = runs.filter((_, k) => problems[k].length > 0);
    if (failing.length === 0) return [];
    const first = problems.find((p) => p.length > 0)![0];
    if (failing.length === runs.length) return [toOffsets(first, 'error')];
    const labels = failing.map((i) => scenario.runs[i].label ?? optimizerName(scenario.runs[i].optimizer)).join(', ');
    return [toOffsets(first, 'warning', `Not checked for ${labels}: `)];
  }

  private async apply(): Promise<void> {
    const session = this.session;
    if (!session) return;
    session.setPauseOnDivergence(this.breakpoints.breakOnDivergence);
    this.results = await session.setBreakpoints(
      PANEL_SOURCE,
      this.breakpoints.list.map((b) => ({ condition: b.condition, enabled: b.enabled, ...(b.run === null ? {} : { runs: [b.run] }) })),
    );
    this.push();
  }

  /** Posts the session's state again (the webview came back). */
  refresh(): void {
    this.push();
  }

  private push(): void {
    if (this.session) this.post({ type: 'session', session: this.view(this.session) });
  }

  private view(session: TrainingSession): SessionView {
    const positions = session.positions();
    const stop = session.stopped;
    const focusRun = stop?.runs[0] ?? 0;
    const step = positions[focusRun]?.step ?? 0;
    const hits = new Map(session.breakpoints().map((b) => [b.id, b.hits.reduce((a, h) => a + h, 0)]));
    const conditions = new Map(session.breakpoints().map((b) => [b.id, b.spec.condition]));
    const labels = (runs: number[]) => runs.map((i) => positions[i]?.label).join(', ');
    let banner = '';
    if (!session.isRunning && stop) {
      switch (stop.reason) {
        case 'breakpoint':
          banner = `Paused at step ${step}: ${stop.breakpoints.map((id) => conditions.get(id) ?? `breakpoint ${id}`).join(', ')} (${labels(stop.runs)})`;
          break;
        case 'divergence':
          banner = `Paused at step ${step}: ${labels(stop.runs)} diverged (non-finite values at step ${step + 1})`;
          break;
        case 'end':
          banner = `Finished: ${positions.map((p) => `${p.label} ${statusWord(p.status)} at step ${p.step}`).join(', ')}`;
          break;
        default:
          banner = `Paused at step ${step}`;
      }
    }
    return {
      running: session.isRunning,
      banner,
      step,
      focusRun,
      positions: positions.map((p) => ({ label: p.label, step: p.step, engineStep: p.engineStep, status: p.status })),
      breakpoints: this.results.map((r) => ({ verified: r.verified, ...(r.message ? { message: r.message } : {}), hits: hits.get(r.id) ?? 0 })),
      traces: positions.map((p, i) => {
        const { rows, rowCount, metrics, running, runningWidth, evaluations } = session.trace(i);
        const dim = session.loss.dim;
        const { state, names } = session.stateTrace(i);
        // ASGD's dashed average, as the streamed runs draw it
        const averaged = drawnAverage(p.optimizer, dim, state, names, rowCount);
        return {
          label: p.label, optimizer: p.optimizer, dim, rows, rowCount, status: p.status, stoppedAt: p.engineStep, ...(averaged && { averaged }), ...(metrics && { metrics }),
          ...(running && { running, runningWidth }),
          // L-BFGS's inner evaluations, drawn as the streamed runs draw them
          ...(evaluations && evaluations.length > 0 && { evaluations: plottedEvaluations(evaluations, dim) }),
        };
      }),
    };
  }

  dispose(): void {
    this.unbind();
  }
}

function statusWord(status: RunStatus): string {
  return status === 'out_of_bounds' ? 'left the bounds' : status;
}
