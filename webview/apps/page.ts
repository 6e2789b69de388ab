// What the Playground and Compare pages share: the page's state (one object, passed to what reads it), the labels
// and hover lines drawn from it, and the hooks the host calls (export, animation, keybindings, snapshots).
import type { DisplayOptions, PlaybackAction, Scenario, Snapshot, TraceData } from '../../src/shared/protocol';
import { formatNumber, runLabel } from '../../src/shared/scenario';
import { playbackAnimation, type PanelPlot } from '../export/exportAnimation';
import { plotPng, plotSvg } from '../export/exportImage';
import type { Host } from '../host/host';
import type { Extent } from '../landscape/geometry';
import type { PlaybackLoop } from '../playback/playbackLoop';
import { gradNormAt, lossAt, paramsAt } from '../runs/traces';

export interface PageState {
  /** The host's newest snapshot: loss, optimizers, settings. */
  snapshot: Snapshot | undefined;
  /** The scenario as edited on the page (a copy of the snapshot's). */
  scenario: Scenario | undefined;
  /** The runs shown. */
  traces: TraceData[];
  /** The display toggles, saved with the panel. */
  display: DisplayOptions;
  /** The landscape's last extent and plot size: asked again with the gradient field when it is turned on. */
  landscapeShown: { extent: Extent; pixels: [number, number] } | undefined;
}

export function newPageState(display: DisplayOptions): PageState {
  return { snapshot: undefined, scenario: undefined, traces: [], display, landscapeShown: undefined };
}

/** Where the runs start: the scenario's start, else the loss's. */
export function startPoint(state: PageState): number[] {
  return state.scenario?.start ?? state.snapshot?.loss.start ?? [0, 0];
}

/** The start a click on the landscape chooses: its x and y, the loss's own start for the other parameters. */
export function chosenStart(snapshot: Snapshot, point: [number, number]): number[] {
  return [point[0], point[1], ...snapshot.loss.start.slice(2)].slice(0, snapshot.loss.dim);
}

/** A run's name in legends, captions and tables. */
export function runName(state: PageState, index: number): string {
  const run = state.scenario?.runs[index];
  return run && state.snapshot ? runLabel(run, state.snapshot.optimizers) : (state.traces[index]?.label ?? '');
}

/** The lines beside a hovered row of a trajectory: `heading`, the parameters, the loss and the gradient norm. */
export function describeRow(state: PageState, trace: TraceData, row: number, heading: string): string[] {
  const params = state.snapshot?.loss.params ?? [];
  return [
    heading,
    paramsAt(trace, row).map((v, i) => `${params[i] ?? `p${i}`} = ${formatNumber(v)}`).join(', '),
    `loss ${formatNumber(lossAt(trace, row))} · ‖∇‖ ${formatNumber(gradNormAt(trace, row))}`,
  ];
}

export interface PageHooks {
  loop: PlaybackLoop;
  /** The landscapes and captions Export draws (the animation adds the step counter). */
  plot(): PanelPlot;
  applySnapshot(snapshot: Snapshot): void;
  showError(error: unknown): void;
  /** A keybinding's play / pause or step (by default the playback's). */
  playbackAction?(action: PlaybackAction): void;
}

/** Hands the host the page's hooks, then the first snapshot (the page's own, or the answer to `ready`). */
export function connectPage(host: Host, ready: Promise<Snapshot>, hooks: PageHooks): void {
  const { loop } = hooks;
  host.onRender = async (format) => {
    loop.pauseForExport();
    const { landscapes, captions } = hooks.plot();
    return format === 'png' ? plotPng(landscapes, captions) : plotSvg(landscapes, captions);
  };
  host.animationView = playbackAnimation(loop.playback, () => loop.showStep(), () => {
    const plot = hooks.plot();
    return { ...plot, captions: [...plot.captions, loop.bar.stepText] };
  });
  host.onPlayback = hooks.playbackAction ?? ((action) => loop.act(action));
  // A hidden page keeps running (and drawing): an animation out of sight pauses.
  host.onHidden = () => loop.bar.pause();
  host.onSnapshot = hooks.applySnapshot;
  host.start(ready, hooks.applySnapshot, hooks.showError);
}
