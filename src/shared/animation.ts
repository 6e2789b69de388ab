// Export Animation: which steps become frames, and the checks on size, fps and step range (shared by the host and
// the webview: pure TypeScript, unit-tested in node). The webview draws the frames the host plans; it decides nothing but pixels.

export type AnimationFormat = 'gif' | 'webm';

export const ANIMATION_FORMATS: { format: AnimationFormat; label: string; detail: string; extension: string; filter: string }[] = [
  { format: 'gif', label: 'GIF', detail: 'Plays everywhere: chats, slides, README files', extension: 'gif', filter: 'GIF image' },
  { format: 'webm', label: 'WebM video', detail: "Full colour (no banding); recorded in real time by the webview's MediaRecorder", extension: 'webm', filter: 'WebM video' },
];

export function isAnimationFormat(value: unknown): value is AnimationFormat {
  return ANIMATION_FORMATS.some((f) => f.format === value);
}

/** GIF delays are in hundredths of a second and viewers slow delays under 2 down: 50 fps is the most a GIF plays. */
export const FPS_RANGE: [number, number] = [1, 50];
export const WIDTH_RANGE: [number, number] = [16, 1920];
export const DEFAULT_FPS = 15;
/** The default width: the view's, at most this (px). */
export const DEFAULT_MAX_WIDTH = 640;
/** The whole run is sampled to at most this many frames by default (10 s at 15 fps). */
export const DEFAULT_MAX_FRAMES = 150;
export const FRAMES_RANGE: [number, number] = [1, 1000];

export interface AnimationSettings {
  format: AnimationFormat;
  /** Pixels; undefined: the view's width, at most DEFAULT_MAX_WIDTH. */
  width?: number;
  fps: number;
  from: number;
  to: number;
  /** The most frames; the range's steps are sampled evenly down to it. */
  maxFrames: number;
}

/** Why a width is not usable, or undefined. */
export function widthProblem(width: number): string | undefined {
  const [lo, hi] = WIDTH_RANGE;
  return Number.isInteger(width) && width >= lo && width <= hi ? undefined : `The width must be a whole number of pixels from ${lo} to ${hi} (got ${width}).`;
}

export function fpsProblem(fps: number): string | undefined {
  const [lo, hi] = FPS_RANGE;
  return Number.isFinite(fps) && fps >= lo && fps <= hi ? undefined : `The frame rate must be from ${lo} to ${hi} frames per second (got ${fps}).`;
}

export function framesProblem(frames: number): string | undefined {
  const [lo, hi] = FRAMES_RANGE;
  return Number.isInteger(frames) && frames >= lo && frames <= hi ? undefined : `The number of frames must be a whole number from ${lo} to ${hi} (got ${frames}).`;
}

/** Why steps from..to of a run of `lastStep` steps is not a range to export, or undefined. */
export function rangeProblem(from: number, to: number, lastStep: number): string | undefined {
  if (!Number.isInteger(from) || !Number.isInteger(to)) return `The step range must be whole steps (got ${from}–${to}).`;
  if (from > to) return `The step range ${from}–${to} is empty: its first step is after its last.`;
  if (from < 0 || to > lastStep) return `The step range ${from}–${to} is outside the run's steps 0–${lastStep}.`;
  return undefined;
}

/** "0-300", "0–300", "10 to 50" or one step "40" (a one-frame animation); undefined when it is none of these. */
export function parseStepRange(text: string): [number, number] | undefined {
  const match = /^\s*(\d+)\s*(?:(?:-|–|—|\.\.|to)\s*(\d+)\s*)?$/.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]);
  return [from, match[2] === undefined ? from : Number(match[2])];
}

/**
 * The steps shown by the frames of steps from..to: every step when there are at most maxFrames of them, else
 * maxFrames steps evenly spaced (rounded) with the first and the last step among them. Increasing, no repeats.
 */
export function planFrames(from: number, to: number, maxFrames: number): number[] {
  const count = Math.min(to - from + 1, maxFrames);
  if (count <= 1) return [from];
  // Spacing >= 1 between unrounded positions: the rounded steps stay strictly increasing.
  const spacing = (to - from) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? to : Math.round(from + i * spacing)));
}

/** The checked settings' first problem, or undefined. */
export function settingsProblem(settings: AnimationSettings, lastStep: number): string | undefined {
  return (
    (settings.width === undefined ? undefined : widthProblem(settings.width)) ??
    fpsProblem(settings.fps) ??
    framesProblem(settings.maxFrames) ??
    rangeProblem(settings.from, settings.to, lastStep)
  );
}

/** A one-line summary for the progress notification and the log, e.g. "150 frames of steps 0–300 at 15 fps". */
export function describePlan(steps: number[], fps: number): string {
  const range = steps.length === 1 ? `step ${steps[0]}` : `steps ${steps[0]}–${steps[steps.length - 1]}`;
  return `${steps.length} frame${steps.length === 1 ? '' : 's'} of ${range} at ${fps} fps (${(steps.length / fps).toFixed(1)} s)`;
}
