// Play / pause, speed and the scrubber.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { Playback } from './playback';

const SPEEDS = [10, 30, 60, 120, 300, 1000, 3000];

export class PlaybackBar {
  readonly element = document.createElement('div');
  private readonly playButton = document.createElement('vscode-button') as VscodeButton;
  private readonly speedSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
  private readonly scrubber = document.createElement('input');
  private readonly stepText = document.createElement('span');

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
    this.speedSelect.replaceChildren(
      ...speeds.map((s) => {
        const option = document.createElement('vscode-option');
        option.value = String(s);
        option.textContent = `${s} steps/s`;
        return option;
      }),
    );
    this.speedSelect.value = String(speed);
    this.playback.speed = speed;
  }

  toggle(): void {
    if (this.playback.playing) this.playback.pause();
    else this.playback.play();
    this.changed();
  }

  /** Pauses and moves by whole steps (the arrow keys, the step keybindings). */
  stepBy(delta: number): void {
    this.playback.pause();
    this.playback.seek(Math.floor(this.playback.step) + delta);
    this.changed();
  }

  /** Reflects the playback position and state. */
  update(): void {
    this.playButton.textContent = this.playback.playing ? 'Pause' : 'Play';
    this.scrubber.max = String(this.playback.lastStep);
    this.scrubber.value = String(Math.floor(this.playback.step));
    this.stepText.textContent = `step ${Math.floor(this.playback.step)} / ${this.playback.lastStep}`;
  }
}
