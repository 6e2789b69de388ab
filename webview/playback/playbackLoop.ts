// A page's playback: the position (Playback), its bar, and the animation-frame loop that draws the page's views at
// the current step while it plays; seeking, the keys and the keybindings go through it.
import type { PlaybackAction, TraceData } from '../../src/shared/protocol';
import { longestRun } from '../runs/traces';
import { Playback } from './playback';
import { isPanelKey, PlaybackBar } from './playbackBar';

export interface PlaybackViews {
  /** Draws every view at `step` (`playing`: an animation frame, drawn the quick way). */
  draw(step: number, playing: boolean): void;
  /** After a step was shown by a seek, a key or the bar (not at each animation frame). */
  shown?(step: number): void;
}

export class PlaybackLoop {
  readonly playback = new Playback(0, 60);
  readonly bar: PlaybackBar;
  private looping = false;

  constructor(private readonly views: PlaybackViews) {
    this.bar = new PlaybackBar(this.playback, () => this.showStep());
  }

  /** Draws the current step; while playing, every animation frame draws the next one. */
  showStep(): void {
    this.views.draw(this.playback.step, this.playback.playing);
    this.bar.update();
    this.views.shown?.(this.playback.step);
    if (this.playback.playing && !this.looping) {
      this.looping = true;
      requestAnimationFrame(this.frame);
    }
  }

  /** Pauses at `step` (a click on a chart). */
  seek(step: number): void {
    this.playback.pause();
    this.playback.seek(step);
    this.showStep();
  }

  /** New runs: the last step follows them; at rest (unless `keepStep`) the view goes to it. */
  setRuns(traces: TraceData[], keepStep = false): void {
    this.playback.setLastStep(longestRun(traces));
    if (!this.playback.playing && !keepStep) this.playback.seek(this.playback.lastStep);
  }

  /** An export draws a frame at rest (SVG trajectories): playback pauses. */
  pauseForExport(): void {
    if (!this.playback.playing) return;
    this.playback.pause();
    this.showStep();
  }

  /** A keybinding's play / pause or step. */
  act(action: PlaybackAction): void {
    if (action === 'toggle') this.bar.toggle();
    else this.bar.stepBy(action === 'forward' ? 1 : -1);
  }

  /** Space plays or pauses; with `arrows`, the arrow keys step (Shift: ten steps). */
  listenToKeys(arrows: boolean): void {
    document.addEventListener('keydown', (event) => {
      if (!isPanelKey(event)) return;
      if (event.key === ' ') {
        event.preventDefault();
        this.bar.toggle();
      } else if (arrows && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
        this.bar.stepBy((event.key === 'ArrowRight' ? 1 : -1) * (event.shiftKey ? 10 : 1));
      }
    });
  }

  private readonly frame = (now: number): void => {
    if (this.playback.frame(now)) this.views.draw(this.playback.step, this.playback.playing);
    this.bar.update();
    if (this.playback.playing) requestAnimationFrame(this.frame);
    else this.looping = false;
  };
}
