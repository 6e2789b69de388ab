// Export Animation in the webview: each planned step drawn by the PNG export's drawing (plotSvg), then encoded here.
// Encoding happens in the webview because the pixels are here: sending raw frames (about 1 MB each at 640 px) to the
// host would cost more than encoding them, and the host must stay free (it only collects the parts). A frame is
// drawn and encoded in a few short tasks with breaks between them (yieldToBrowser), so the page keeps answering and
// a cancel arrives between two frames; each frame's bytes go to the host at once, transferred (not copied into JSON).
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { DEFAULT_MAX_WIDTH, type AnimationFormat } from '../../src/shared/animation';
import { plotSvg, svgImage } from './exportImage';
import type { Playback } from '../playback/playback';

/** What an animation is drawn from: the panel's own views, shown at a step. */
export interface AnimationView {
  /** Shows the runs at `step` (at rest: SVG trajectories) and returns the elements to draw, as Export PNG does. */
  showStep(step: number): Promise<{ landscapes: HTMLElement[]; captions: HTMLElement[] }>;
  /** Whether the landscapes' canvases stay the same from step to step (a 2-D heatmap; not the 3-D surface). */
  readonly staticCanvases: boolean;
  /** Back to the step shown before the export. */
  restore(): void;
}

/** The plot a panel exports: its landscapes and their captions (legend, step counter). */
export interface PanelPlot {
  landscapes: HTMLElement[];
  captions: HTMLElement[];
  /** The landscapes draw at the next animation frame, not at once (the 3-D surface). */
  drawsLater: boolean;
}

/** An AnimationView over a panel's playback: pauses it, shows each step (redraw), and goes back to where it was. */
export function playbackAnimation(playback: Playback, redraw: () => void, plot: () => PanelPlot): AnimationView {
  let before: number | undefined;
  return {
    get staticCanvases() {
      return !plot().drawsLater;
    },
    async showStep(step) {
      before ??= playback.step;
      playback.pause();
      playback.seek(step);
      redraw();
      const shown = plot();
      if (shown.drawsLater) await new Promise((resolve) => requestAnimationFrame(resolve));
      return shown;
    },
    restore() {
      if (before === undefined) return;
      playback.seek(before);
      before = undefined;
      redraw();
    },
  };
}

export interface AnimationRequest {
  format: AnimationFormat;
  steps: number[];
  width?: number;
  fps: number;
}

/** A part of the file: its bytes, how many frames are drawn, and whether it is the last. */
export type SendPart = (data: Uint8Array, framesDone: number, done: boolean) => void;

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * Lets the browser run other tasks (input, paint) before going on. In code-server a webview may share its thread
 * with the workbench: without these breaks a long export would freeze the whole window (its Cancel button too).
 */
function yieldToBrowser(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

/** Between two frames: lets the window paint once (or 50 ms pass, when the page is out of sight and does not paint). */
function letWindowPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/** Whether this page can record WebM: MediaRecorder with a WebM type, and canvas.captureStream. */
export function canRecordWebm(): boolean {
  return typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('video/webm') && typeof HTMLCanvasElement.prototype.captureStream === 'function';
}

/**
 * Draws the frames of an animation on one canvas of a fixed size (the first frame's, scaled to the width asked for).
 * Where the landscapes' canvases do not change with the step (2-D), what stays the same is drawn once and only the
 * moving part at each step: decoding the heatmaps and contours at every frame would take most of the time.
 */
class FrameCanvas {
  readonly canvas = document.createElement('canvas');
  readonly context = this.canvas.getContext('2d', { willReadFrequently: true })!;
  private scale = 0;
  private background: HTMLImageElement | undefined;

  constructor(
    private readonly view: AnimationView,
    private readonly width: number | undefined,
  ) {}

  async draw(step: number): Promise<void> {
    const { landscapes, captions } = await this.view.showStep(step);
    const layered = this.view.staticCanvases;
    if (layered && !this.background) this.background = await svgImage(plotSvg(landscapes, captions, 'static'));
    const image = await svgImage(plotSvg(landscapes, captions, layered ? 'moving' : 'all'));
    if (this.scale === 0) {
      if (!(image.width > 0 && image.height > 0)) throw new Error('the panel has no plot to draw (is it hidden?)');
      this.scale = (this.width ?? Math.min(image.width, DEFAULT_MAX_WIDTH)) / image.width;
      this.canvas.width = Math.max(1, Math.round(image.width * this.scale));
      this.canvas.height = Math.max(1, Math.round(image.height * this.scale));
    }
    this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (const layer of layered ? [this.background!, image] : [image]) this.context.drawImage(layer, 0, 0, layer.width * this.scale, layer.height * this.scale);
  }

  pixels(): Uint8ClampedArray {
    return this.context.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
  }
}

/**
 * Draws every step and encodes a GIF, sending it frame by frame. One palette for all frames (no flicker between
 * them), with one entry left for transparency: after the first frame, a pixel that did not change is transparent and
 * the frame is drawn over the one before (only the trajectories, markers and counter change: long transparent runs
 * that LZW packs into little).
 */
async function recordGif(frames: FrameCanvas, request: AnimationRequest, send: SendPart, cancelled: () => boolean): Promise<void> {
  const { steps, fps } = request;
  // The palette from the first and the last frame: the landscape, the start and every trajectory's colour.
  await frames.draw(steps[steps.length - 1]);
  const last = frames.pixels();
  if (cancelled()) throw new Cancelled();
  const gif = GIFEncoder({ auto: false });
  let palette: number[][] | undefined;
  let previous: Uint8Array | undefined;
  const delay = 1000 / fps;
  for (const [index, step] of steps.entries()) {
    await frames.draw(step);
    await yieldToBrowser();
    if (cancelled()) throw new Cancelled();
    const { width, height } = frames.canvas;
    const pixels = frames.pixels();
    if (!palette) {
      const both = new Uint8ClampedArray(pixels.length + last.length);
      both.set(pixels);
      both.set(last, pixels.length);
      palette = quantize(both, 255);
      gif.writeHeader();
      await yieldToBrowser();
    }
    const transparentIndex = palette.length;
    const indexed = applyPalette(pixels, palette);
    await yieldToBrowser();
    if (cancelled()) throw new Cancelled();
    let written = indexed;
    if (previous) {
      written = indexed.slice();
      for (let i = 0; i < written.length; i++) if (written[i] === previous[i]) written[i] = transparentIndex;
    }
    // The global table holds the transparent entry too (its colour is never shown).
    const options = index === 0 ? { palette: [...palette, [0, 0, 0]], first: true, repeat: 0 } : { transparent: true, transparentIndex };
    gif.writeFrame(written, width, height, { ...options, delay, dispose: 1 });
    previous = indexed;
    const done = index === steps.length - 1;
    if (done) gif.finish();
    send(gif.bytes(), index + 1, done);
    gif.reset();
    await letWindowPaint();
  }
}

/**
 * Draws every step onto a canvas recorded by MediaRecorder. The recorder keeps real time, so each frame is drawn
 * first (as a PNG blob, small) and then shown at its time: 1 / fps apart, whatever each took to draw.
 */
async function recordWebm(frames: FrameCanvas, request: AnimationRequest, send: SendPart, cancelled: () => boolean): Promise<void> {
  const { steps, fps } = request;
  const drawn: Blob[] = [];
  for (const step of steps) {
    await frames.draw(step);
    await yieldToBrowser();
    if (cancelled()) throw new Cancelled();
    drawn.push(await new Promise<Blob>((resolve, reject) => frames.canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('a frame could not be drawn'))), 'image/png')));
    // Half of the progress is drawing, half recording.
    send(new Uint8Array(0), Math.floor(drawn.length / 2), false);
    await letWindowPaint();
  }
  const stream = frames.canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const type = MediaRecorder.isTypeSupported('video/webm;codecs=vp9') ? 'video/webm;codecs=vp9' : 'video/webm';
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4_000_000 });
  // The recorder's chunks, sent in order.
  let sent = Promise.resolve();
  let framesDone = Math.floor(steps.length / 2);
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) sent = sent.then(async () => send(new Uint8Array(await event.data.arrayBuffer()), framesDone, false));
  };
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start(1000);
  const start = performance.now();
  try {
    for (const [index, blob] of drawn.entries()) {
      const bitmap = await createImageBitmap(blob);
      const wait = start + (index * 1000) / fps - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (cancelled()) throw new Cancelled();
      frames.context.drawImage(bitmap, 0, 0);
      bitmap.close();
      track.requestFrame();
      framesDone = Math.floor(steps.length / 2 + (index + 1) / 2);
    }
    // The last frame stays for its own duration.
    await new Promise((resolve) => setTimeout(resolve, 1000 / fps));
  } finally {
    recorder.stop();
    await stopped;
    track.stop();
  }
  await sent;
  send(new Uint8Array(0), steps.length, true);
}

/** Draws and encodes the animation the host asked for; `cancelled` is checked between frames. */
export async function recordAnimation(view: AnimationView, request: AnimationRequest, send: SendPart, cancelled: () => boolean): Promise<void> {
  const frames = new FrameCanvas(view, request.width);
  try {
    if (request.format === 'webm') {
      if (!canRecordWebm()) throw new Error('this webview cannot record WebM (no MediaRecorder with WebM): export a GIF instead');
      await recordWebm(frames, request, send, cancelled);
    } else await recordGif(frames, request, send, cancelled);
  } finally {
    view.restore();
  }
}
