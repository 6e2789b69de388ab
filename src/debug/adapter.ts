// The Optiscope debug adapter (DAP): a .loss scenario's training runs as threads, the current step as the
// stack frame, the run's state as variables. No 'vscode' import: it runs inline in the extension host and as
// a plain Node process (dist/debugAdapter.js) for the protocol tests.
import {
  Breakpoint, ContinuedEvent, DebugSession, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent,
  TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointSpec } from '../shared/engineApi';
import { lossLines, runsAtLine, type LossLines } from './adapterLines';
import type { StepState } from '../shared/engineApi';
import { factorKeys, groupParamNames } from '../shared/network';
import { LIMITS } from '../shared/limits';
import type { BreakpointResult, StopEvent, TrainingSession } from '../session/trainingSession';
import type { Disposable } from '../session/emitter';
import { runEquationText } from '../session/inspectorEquations';

export const DEBUG_TYPE = 'optiscope';
export const DIVERGENCE_FILTER = 'divergence';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The .loss file. */
  program: string;
  /** Pause at step 0 before the first step. */
  stopOnEntry?: boolean;
  /** Steps per run; default: the file's `steps` line, else the host's default. */
  steps?: number;
}

/** The part of a TrainingSession the adapter drives. */
export type DebugTarget = Pick<TrainingSession,
  | 'onDidStop' | 'onDidContinue' | 'positions' | 'setBreakpoints' | 'setPauseOnDivergence' | 'continue' | 'step'
  | 'stepBack' | 'reverseContinue' | 'pause' | 'restart' | 'inspect' | 'evaluate' | 'dispose' | 'options' | 'loss'>
  & Partial<Pick<TrainingSession, 'scenario'>>;

/** What the adapter needs from where it runs: reading the program and opening a training session for it. */
export interface AdapterHost {
  readFile(program: string): Promise<string>;
  openSession(launch: { program: string; text: string; steps?: number }): Promise<DebugTarget>;
}

const LINE_SOURCE = 'debugger lines';
/** Frames and variable containers kept for late requests. */
const MAX_HANDLES = 10_000;
const FUNCTION_SOURCE = 'debugger conditions';

/** DAP numbers a run's thread from 1. */
const threadOf = (run: number) => run + 1;
const runOf = (threadId: number) => threadId - 1;

/** Every digit that makes the number round-trip, so what is shown is exactly the engine's float64. */
export function formatValue(value: number | boolean): string {
  return String(value);
}

export class OptiscopeDebugSession extends DebugSession {
  private target: DebugTarget | undefined;
  private subscriptions: Disposable[] = [];
  private program = '';
  private lines: LossLines = { optimizers: [] };
  private launchArgs: LaunchArguments | undefined;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private pauseOnDivergence = true;
  /** The last breakpoints the client set (applied when the session opens, if they came first). */
  private lineBreakpoints: DebugProtocol.SourceBreakpoint[] = [];
  private functionBreakpoints: DebugProtocol.FunctionBreakpoint[] = [];
  /** DAP breakpoint id by the session's id. */
  private readonly dapIds = new Map<number, number>();
  private nextBreakpointId = 1;
  /**
   * Frames (id -> run and step) and variable containers (reference -> children). A run's recorded steps stay
   * inspectable, so these outlive the stop they were made for (VS Code may still ask for them after the next
   * stop); ids never repeat and the oldest are dropped past MAX_HANDLES.
   */
  private readonly frames = new Map<number, { run: number; step: number }>();
  private readonly containers = new Map<number, () => Promise<DebugProtocol.Variable[]>>();
  private nextHandle = 1;
  private lastStopRun = 0;
  /** A restart without stopOnEntry goes on from step 0 instead of showing the entry stop. */
  private skipEntryStop = false;
  private terminated = false;

  constructor(private readonly host: AdapterHost) {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [{
        filter: DIVERGENCE_FILTER,
        label: 'Divergence (non-finite values)',
        description: 'Pause a run where its parameters, loss or gradient stop being finite numbers',
        default: true,
      }],
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    void this.handle(response, async () => {
      if (typeof args.program !== 'string' || args.program === '') throw new Error('Set "program" to a .loss file (for example "${file}")');
      this.launchArgs = args;
      this.program = args.program;
      const text = await this.host.readFile(args.program);
      this.lines = lossLines(text);
      const target = await this.host.openSession({ program: args.program, text, steps: args.steps });
      this.target = target;
      target.setPauseOnDivergence(this.pauseOnDivergence);
      this.subscriptions.push(
        target.onDidStop((event) => this.onStop(event)),
        target.onDidContinue(() => this.sendEvent(new ContinuedEvent(threadOf(this.lastStopRun), target.options().pauseAllRuns))),
      );
      // Now the client sends the breakpoints; the runs start when it says configurationDone.
      this.sendEvent(new InitializedEvent());
      await this.configurationDone;
      await this.beginRuns();
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  private async beginRuns(): Promise<void> {
    const target = this.requireTarget();
    if (this.launchArgs?.stopOnEntry) this.onStop({ reason: 'entry', runs: target.positions().map((_, i) => i), breakpoints: [] });
    else await target.continue();
  }

  // --- breakpoints ---

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    void this.handle(response, async () => {
      this.lineBreakpoints = args.breakpoints ?? [];
      response.body = { breakpoints: await this.applyLineBreakpoints() };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    void this.handle(response, async () => {
      this.functionBreakpoints = args.breakpoints;
      response.body = { breakpoints: await this.applyFunctionBreakpoints() };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.pauseOnDivergence = args.filters.includes(DIVERGENCE_FILTER);
    this.target?.setPauseOnDivergence(this.pauseOnDivergence);
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  /**
   * A line breakpoint on an optimizer line pauses that run at every step, on the loss line every run; a
   * condition or a hit count narrows it down, as for a breakpoint inside a loop.
   */
  private async applyLineBreakpoints(): Promise<DebugProtocol.Breakpoint[]> {
    const runCount = this.target?.positions().length ?? Math.max(1, this.lines.optimizers.length);
    const placed = this.lineBreakpoints.map((b) => ({ b, line: this.convertClientLineToDebugger(b.line) }))
      .map(({ b, line }) => ({ b, line, where: runsAtLine(this.lines, line, runCount) }));
    const valid = placed.flatMap(({ b, where }) => ('runs' in where ? [{ b, runs: where.runs }] : []));
    const results = await this.setTargetBreakpoints(LINE_SOURCE, valid.map(({ b, runs }) => ({
      condition: b.condition?.trim() ? b.condition : 'true',
      hitCondition: b.hitCondition?.trim() ? b.hitCondition : undefined,
      runs,
      onChange: false,
    })));
    let k = 0;
    return placed.map(({ line, where }) => ('runs' in where ? this.breakpoint(results[k++], line) : this.unverified(where.message, line)));
  }

  /**
   * A function breakpoint's name is a condition over every run (`loss < 1e-3`): it pauses where the condition
   * becomes true, so Continue goes on past the steps where it stays true. Its condition field must hold too.
   */
  private async applyFunctionBreakpoints(): Promise<DebugProtocol.Breakpoint[]> {
    const results = await this.setTargetBreakpoints(FUNCTION_SOURCE, this.functionBreakpoints.map((b) => ({
      condition: b.condition?.trim() ? `(${b.name}) and (${b.condition})` : b.name,
      hitCondition: b.hitCondition?.trim() ? b.hitCondition : undefined,
      onChange: true,
    })));
    return results.map((result) => this.breakpoint(result));
  }

  /** Before the session opens, the breakpoints wait (verified for now); launch sends them again. */
  private async setTargetBreakpoints(source: string, specs: BreakpointSpec[]): Promise<(BreakpointResult | undefined)[]> {
    if (!this.target) return specs.map(() => undefined);
    return this.target.setBreakpoints(source, specs);
  }

  private breakpoint(result: BreakpointResult | undefined, line?: number): DebugProtocol.Breakpoint {
    const bp: DebugProtocol.Breakpoint = new Breakpoint(result?.verified ?? true, line === undefined ? undefined : this.convertDebuggerLineToClient(line));
    if (line !== undefined) bp.source = this.source();
    if (result) {
      let id = this.dapIds.get(result.id);
      if (id === undefined) this.dapIds.set(result.id, (id = this.nextBreakpointId++));
      bp.id = id;
      if (result.message) bp.message = result.message;
    }
    return bp;
  }

  private unverified(message: string, line: number): DebugProtocol.Breakpoint {
    const bp: DebugProtocol.Breakpoint = new Breakpoint(false, this.convertDebuggerLineToClient(line), undefined, this.source());
    bp.message = message;
    return bp;
  }

  private source(): Source {
    const name = this.program.split(/[\\/]/).pop() ?? this.program;
    return new Source(name, this.program);
  }

  // --- execution: Step Over is one training step (of every run while they pause together) ---

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    const target = this.requireTarget();
    response.body = { allThreadsContinued: target.options().pauseAllRuns };
    void this.handle(response, () => target.continue(runOf(args.threadId)), true);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    void this.handle(response, () => this.requireTarget().step(runOf(args.threadId), 1), true);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    void this.handle(response, () => this.requireTarget().step(runOf(args.threadId), 1), true);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    void this.handle(response, () => this.requireTarget().step(runOf(args.threadId), 1), true);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    void this.handle(response, () => this.requireTarget().stepBack(runOf(args.threadId)), true);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    void this.handle(response, () => this.requireTarget().reverseContinue(runOf(args.threadId)), true);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.requireTarget().pause();
    this.sendResponse(response);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    void this.handle(response, async () => {
      const target = this.requireTarget();
      this.skipEntryStop = !this.launchArgs?.stopOnEntry;
      try {
        await target.restart();
      } finally {
        this.skipEntryStop = false;
      }
      if (!this.launchArgs?.stopOnEntry) await target.continue();
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.terminate();
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.terminate();
    this.sendResponse(response);
    this.dispose();
  }

  private terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new TerminatedEvent());
  }

  private onStop(event: StopEvent): void {
    if (event.reason === 'entry' && this.skipEntryStop) return;
    if (event.reason === 'end') {
      this.forgetHandles();
      const summary = this.requireTarget().positions().map((p) => `  ${p.label}: ${p.status} at step ${p.step}`).join('\n');
      this.sendEvent(new OutputEvent(`Training finished.\n${summary}\n`, 'console'));
      this.terminate();
      return;
    }
    const run = event.runs[0] ?? 0;
    this.lastStopRun = run;
    const stopped: DebugProtocol.StoppedEvent = new StoppedEvent(event.reason === 'divergence' ? 'exception' : event.reason, threadOf(run));
    stopped.body.allThreadsStopped = this.requireTarget().options().pauseAllRuns;
    if (event.reason === 'divergence') {
      const position = this.requireTarget().positions()[run];
      stopped.body.description = 'Paused on divergence';
      stopped.body.text = `${position?.label ?? 'A run'} diverged after step ${position?.step}: its next parameters, loss or gradient are not finite`;
    }
    if (event.reason === 'breakpoint') {
      stopped.body.hitBreakpointIds = event.breakpoints.map((id) => this.dapIds.get(id)).filter((id): id is number => id !== undefined);
    }
    this.sendEvent(stopped);
  }

  // --- what the Variables view, the call stack and the debug console show ---

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const positions = this.target?.positions() ?? [];
    response.body = { threads: positions.map((p, i) => new Thread(threadOf(i), p.label)) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const run = runOf(args.threadId);
    if (!this.target) {
      // VS Code may still ask after the training ended: nothing to show is no error.
      response.body = { stackFrames: [], totalFrames: 0 };
      this.sendResponse(response);
      return;
    }
    const position = this.target.positions()[run];
    if (!position) throw new Error(`No run for thread ${args.threadId}`);
    const id = this.remember(this.frames, { run, step: position.step });
    const line = this.lines.optimizers[run] ?? this.lines.loss ?? 0;
    const frame = new StackFrame(id, `${position.label} · step ${position.step}`, this.source(), this.convertDebuggerLineToClient(line));
    response.body = { stackFrames: [frame], totalFrames: 1 };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = this.frame(args.frameId);
    const state = () => this.requireTarget().inspect(frame.run, frame.step);
    const scopes = [new Scope(`Step ${frame.step}`, this.container(async () => stateVariables(await state(), (children) => this.container(async () => children))), false)];
    // A network above LIMITS.networkHessianParams has no Hessian (TrainingSession.inspect): no scope that would be empty.
    const loss = this.requireTarget().loss;
    if (!loss?.network || loss.dim <= LIMITS.networkHessianParams) scopes.push(new Scope('Hessian', this.container(async () => hessianVariables(await state())), true));
    const run = this.requireTarget().scenario?.runs[frame.run];
    if (run) scopes.push(new Scope('Update rule', this.container(async () => equationVariables(runEquationText(run, await state()))), true));
    response.body = { scopes };
    this.sendResponse(response);
  }

  private frame(frameId: number): { run: number; step: number } {
    const frame = this.frames.get(frameId);
    if (!frame) throw new Error('This frame is gone: the run has moved on');
    return frame;
  }

  private container(children: () => Promise<DebugProtocol.Variable[]>): number {
    return this.remember(this.containers, children);
  }

  /** Stores value under a new id (frames and variable references share the counter) and returns the id. */
  private remember<T>(handles: Map<number, T>, value: T): number {
    const id = this.nextHandle++;
    handles.set(id, value);
    if (handles.size > MAX_HANDLES) handles.delete(handles.keys().next().value as number);
    return id;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, async () => {
      const children = this.target && this.containers.get(args.variablesReference);
      response.body = { variables: children ? await children() : [] };
    });
  }

  /** The debug console, watches and hovers: loss-language expressions over the frame's run and step. */
  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, async () => {
      const target = this.requireTarget();
      const frame = args.frameId === undefined ? undefined : this.frames.get(args.frameId);
      const run = frame?.run ?? this.lastStopRun;
      const value = await target.evaluate(args.expression, run, frame?.step);
      response.body = { result: formatValue(value), variablesReference: 0 };
    });
  }

  // --- plumbing ---

  private requireTarget(): DebugTarget {
    if (!this.target) throw new Error('The training runs have not started yet');
    return this.target;
  }

  /**
   * Runs a request's work; a failure becomes an error response with its message (never a crash).
   * With earlyResponse the request is answered at once (continue, step) and a later failure goes to the console.
   */
  private async handle(response: DebugProtocol.Response, work: () => Promise<unknown>, earlyResponse = false): Promise<void> {
    if (earlyResponse) this.sendResponse(response);
    try {
      await work();
      if (!earlyResponse) this.sendResponse(response);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (earlyResponse) this.sendEvent(new OutputEvent(`${message}\n`, 'stderr'));
      else this.sendErrorResponse(response, { id: 1, format: message.replace(/[{}]/g, ''), showUser: response.command !== 'evaluate' });
    }
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: true } as DebugProtocol.Response;
    try {
      super.dispatchRequest(request);
    } catch (error) {
      this.sendErrorResponse(response, { id: 1, format: (error instanceof Error ? error.message : String(error)).replace(/[{}]/g, ''), showUser: false });
    }
  }

  private forgetHandles(): void {
    this.frames.clear();
    this.containers.clear();
  }

  override dispose(): void {
    this.forgetHandles();
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.target?.dispose();
    this.target = undefined;
    super.dispose();
  }
}

function variable(name: string, value: number, evaluateName: string | undefined = name): DebugProtocol.Variable {
  return { name, value: formatValue(value), variablesReference: 0, ...(evaluateName ? { evaluateName } : {}) };
}

/**
 * The names are those of breakpoint conditions and the debug console (step, loss, gradnorm, lr, x, grad_x,
 * exp_avg_x, ...); the effective step x_{t+1} - x_t is a group (container: a reference for its children).
 */
export function stateVariables(state: StepState, container: (children: DebugProtocol.Variable[]) => number): DebugProtocol.Variable[] {
  const tensors = groupParamNames(Object.keys(state.params));
  if (tensors) return networkVariables(state, tensors, container);
  const variables = [
    variable('step', state.step),
    variable('loss', state.loss),
    variable('gradnorm', state.gradNorm),
    variable('lr', state.lr),
    ...Object.entries(state.params).map(([name, value]) => variable(name, value)),
    ...Object.entries(state.grad).map(([name, value]) => variable(`grad_${name}`, value)),
    ...Object.entries(state.state).map(([name, value]) => variable(name, value)),
  ];
  if (state.effectiveStep) {
    const children = Object.entries(state.effectiveStep).map(([name, value]) => variable(name, value, undefined));
    const shown = children.map((c) => `${c.name}: ${c.value}`).join(', ');
    variables.push({ name: 'effective step', value: `{${shown}}`, variablesReference: container(children) });
  }
  return variables;
}

/**
 * A network's values at a step: step, loss, gradnorm, lr and the optimizer's scalars, then one group per tensor (W1, b1,
 * bn1.weight, ...) holding its parameters, their gradients and their optimizer state, under the names conditions use.
 */
function networkVariables(
  state: StepState, tensors: { name: string; members: string[] }[], container: (children: DebugProtocol.Variable[]) => number,
): DebugProtocol.Variable[] {
  const perParam = new Set<string>();
  const children = tensors.map(({ name, members }) => {
    const keys = Object.keys(state.state);
    const states = [...keys.filter((key) => members.some((m) => key.endsWith(`_${m}`))), ...factorKeys(keys, name)];
    states.forEach((key) => perParam.add(key));
    const values = [
      ...members.map((m) => variable(m, state.params[m])),
      ...members.map((m) => variable(`grad_${m}`, state.grad[m])),
      ...states.map((key) => variable(key, state.state[key])),
      ...(state.effectiveStep ? members.map((m) => variable(`Δ${m}`, state.effectiveStep![m], undefined)) : []),
    ];
    return { name, members, values };
  });
  return [
    variable('step', state.step),
    variable('loss', state.loss),
    variable('gradnorm', state.gradNorm),
    variable('lr', state.lr),
    ...Object.entries(state.state).filter(([key]) => !perParam.has(key)).map(([key, value]) => variable(key, value)),
    ...children.map(({ name, members, values }) => ({
      name,
      value: `${members.length} parameter${members.length === 1 ? '' : 's'}`,
      variablesReference: container(values),
    })),
  ];
}

/** The optimizer's update with this step's values (first coordinate), one LaTeX line per variable. */
export function equationVariables(text: { title: string; lines: string[] } | undefined): DebugProtocol.Variable[] {
  if (!text) return [{ name: 'update rule', value: 'none to show (the rule reads the Hessian)', variablesReference: 0 }];
  return [
    { name: 'optimizer', value: text.title, variablesReference: 0 },
    ...text.lines.map((line, k) => ({ name: String(k + 1), value: line, variablesReference: 0 })),
  ];
}

/** The Hessian at the step: its eigenvalues (ascending) and its entries. */
export function hessianVariables(state: StepState): DebugProtocol.Variable[] {
  const names = Object.keys(state.params);
  const n = names.length;
  return [
    ...state.hessianEigenvalues.map((value, i) => variable(`eigenvalue ${i + 1}`, value, undefined)),
    ...state.hessian.map((value, k) => variable(`H[${names[Math.floor(k / n)]}, ${names[k % n]}]`, value, undefined)),
  ];
}
