// Play / pause, speed and the scrubber.
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { create } from '../dom/elements';
import type { Playback } from './playback';

const SPEEDS = [10, 30, 60, 120, 300, 1000, 3000];

/** Focused controls that use Space and the arrows themselves (a button clicks on Space): the panel's keys leave them alone. */
const OWN_KEYS = 'input, textarea, select, button, vscode-textfield, vscode-textarea, vscode-single-select, vscode-button, vscode-checkbox, vscode-collapsible';

/** Whether a key pressed here is the panel's (play / pause, step) rather than the focused control's. */
export function isPanelKey(event: KeyboardEvent): boolean {
  return !(event.target instanceof Element && event.target.closest(OWN_KEYS));
}

export class PlaybackBar {
  readonly element = document.createElement('div');
  private readonly playButton = document.createElement('vscode-button') as VscodeButton;
  private readonly speedSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
  private readonly scrubber = document.createElement('input');
  /** "step N / last": drawn into exported animations as their step counter. */
  readonly stepText = document.createElement('span');

  constructor(
    private readonly playback: Playback,
    private readonly changed: () => void,
  ) {
    this.element.className = 'playback';
    this.playButton.className = 'play';
    this.playButton.addEventListener('click', () => this.toggle());
    this.speedSelect.className = 'speed';
    this.speedSelect.title = 'Steps per second';
    this.speedSelect.addEventListener('change', () => {
      this.playback.speed = Number(this.speedSelect.value);
    });
    this.scrubber.type = 'range';
    this.scrubber.className = 'scrubber';
    this.scrubber.min = '0';
    this.scrubber.step = '1';
    this.scrubber.setAttribute('aria-label', 'Step');
    this.scrubber.addEventListener('input', () => {
      this.playback.pause();
      this.playback.seek(Number(this.scrubber.value));
      this.changed();
    });
    this.stepText.className = 'step-text';
    this.element.append(this.playButton, this.speedSelect, this.scrubber, this.stepText);
    this.update();
  }

  /** Speeds offered: the presets plus the configured default. */
  setSpeed(speed: number): void {
    const speeds = [...new Set([...SPEEDS, speed])].sort((a, b) => a - b);
    this.speedSelect.replaceChildren(...speeds.map((s) => create('vscode-option', { value: String(s) }, `${s} steps/s`)));
    this.speedSelect.value = String(speed);
    this.playback.speed = speed;
  }

  toggle(): void {
    if (this.playback.playing) this.playback.pause();
    else this.playback.play();
    this.changed();
  }

  pause(): void {
    if (!this.playback.playing) return;
    this.playback.pause();
    this.changed();
  }

  /** Pauses and moves by whole steps (the arrow keys, the step keybindings). */
  stepBy(delta: number): void {
    this.playback.pause();
    this.playback.seek(Math.floor(this.playback.step) + delta);
    this.changed();
  }

  /** Alt+click on the scrubber: `picked` gets where, as a fraction of its width (the Playground toggles a breakpoint there). */
  onAltClick(picked: (fraction: number) => void): void {
    this.scrubber.addEventListener('pointerdown', (event) => {
      if (!event.altKey) return;
      event.preventDefault();
      const box = this.scrubber.getBoundingClientRect();
      picked((event.clientX - box.left) / box.width);
    });
  }

  /** Reflects the playback position and state. */
  update(): void {
    // Written only when changed: this runs at every animation frame.
    const label = this.playback.playing ? 'Pause' : 'Play';
    if (this.playButton.textContent !== label) this.playButton.textContent = label;
    const step = String(Math.floor(this.playback.step));
    const last = String(this.playback.lastStep);
    if (this.scrubber.max !== last) this.scrubber.max = last;
    if (this.scrubber.value !== step) this.scrubber.value = step;
    const text = `step ${step} / ${last}`;
    if (this.stepText.textContent !== text) this.stepText.textContent = text;
  }
}
