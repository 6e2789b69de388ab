// Playback position over time: play, pause, speed, scrub (pure; the caller drives it with frame times).

export class Playback {
  private position = 0;
  private lastFrame: number | undefined;
  playing = false;

  constructor(
    public lastStep: number,
    /** Steps per second. */
    public speed: number,
  ) {}

  get step(): number {
    return this.position;
  }

  /** Starts playing; from the beginning when at the end. */
  play(): void {
    if (this.position >= this.lastStep) this.position = 0;
    this.playing = true;
    this.lastFrame = undefined;
  }

  pause(): void {
    this.playing = false;
    this.lastFrame = undefined;
  }

  seek(step: number): void {
    this.position = Math.max(0, Math.min(this.lastStep, step));
  }

  /** New data: keeps the position within range. */
  setLastStep(lastStep: number): void {
    this.lastStep = lastStep;
    this.seek(this.position);
  }

  /** Advances by the time since the previous frame; returns whether the position changed. */
  frame(now: number): boolean {
    if (!this.playing) return false;
    const previous = this.lastFrame ?? now;
    this.lastFrame = now;
    const before = this.position;
    this.seek(this.position + ((now - previous) / 1000) * this.speed);
    if (this.position >= this.lastStep) this.pause();
    return this.position !== before;
  }
}
