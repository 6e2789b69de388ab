// Trajectories on two canvases (halos under lines) while playback runs: each frame adds only the segments since
// the previous frame, where the SVG paths would re-render every trajectory in full (thousands of points for a
// zigzagging run). At rest the landscape shows its SVG paths (hover, export, selection).
import { positionAt, rowAtStep, type PixelPath, type Point } from '../runs/traces';
import type { TraceData } from '../../src/shared/protocol';

export const TRAJECTORY_WIDTH = 2;
export const HALO_WIDTH = 4.5;
export const HALO_OPACITY = 0.7;

interface Drawn {
  /** Kept points of the pixel path drawn so far. */
  kept: number;
  /** The last point drawn (the exact position of the last step shown). */
  end: Point | undefined;
}

export interface TrailScene {
  traces: TraceData[];
  paths: PixelPath[];
  colors: string[];
  halo: string;
  toPixel: (x: number, y: number) => Point;
}

export class TrailLayer {
  readonly halo = layerCanvas('trajectory-halo-canvas');
  readonly lines = layerCanvas('trajectory-canvas');
  private drawn: Drawn[] = [];
  private drawnStep = Infinity;
  private key: unknown[] = [];
  private size = { width: 0, height: 0, ratio: 1, left: 0, top: 0 };

  constructor() {
    this.halo.style.opacity = String(HALO_OPACITY);
  }

  /** The canvases' pixel size and the plot's place in them. */
  resize(box: { width: number; height: number }, plot: { left: number; top: number; width: number; height: number }, ratio: number): void {
    for (const canvas of [this.halo, this.lines]) {
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
    }
    this.size = { ...plot, ratio };
    // A new size already cleared the canvases (and drawing nothing allocates none of their pixels).
    this.forget();
  }

  clear(): void {
    for (const canvas of [this.halo, this.lines]) canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
    this.forget();
  }

  private forget(): void {
    this.drawn = [];
    this.drawnStep = Infinity;
  }

  /** Draws every trajectory up to `step`: only what is new since the last call when moving forward on the same scene. */
  draw(scene: TrailScene, step: number): void {
    const key = [scene.paths, scene.traces, scene.halo, ...scene.colors];
    if (step < this.drawnStep || key.length !== this.key.length || key.some((k, i) => k !== this.key[i])) {
      this.clear();
      this.key = key;
      this.drawn = scene.traces.map(() => ({ kept: 0, end: undefined }));
    }
    this.drawnStep = step;
    const halo = this.context(this.halo, scene.halo, HALO_WIDTH);
    const lines = this.context(this.lines, '', TRAJECTORY_WIDTH);
    scene.traces.forEach((trace, i) => {
      const path = scene.paths[i];
      const drawn = this.drawn[i];
      const row = rowAtStep(trace, step);
      const points: Point[] = drawn.end ? [drawn.end] : [];
      while (drawn.kept < path.rows.length && path.rows[drawn.kept] <= row) points.push(path.points[drawn.kept++]);
      const exact = scene.toPixel(...positionAt(trace, row));
      const last = points[points.length - 1];
      if (Number.isFinite(exact[0]) && Number.isFinite(exact[1]) && (!last || last[0] !== exact[0] || last[1] !== exact[1])) points.push(exact);
      if (points.length === 0) return;
      drawn.end = points[points.length - 1];
      if (points.length < 2) return;
      lines.strokeStyle = scene.colors[i];
      for (const context of [halo, lines]) stroke(context, points);
    });
    for (const context of [halo, lines]) context.restore();
  }

  private context(canvas: HTMLCanvasElement, color: string, width: number): CanvasRenderingContext2D {
    const { ratio, left, top } = this.size;
    const context = canvas.getContext('2d')!;
    context.save();
    context.setTransform(ratio, 0, 0, ratio, left * ratio, top * ratio);
    context.beginPath();
    context.rect(0, 0, this.size.width, this.size.height);
    context.clip();
    context.lineWidth = width;
    context.lineJoin = 'round';
    context.lineCap = 'round';
    context.strokeStyle = color;
    return context;
  }
}

function stroke(context: CanvasRenderingContext2D, points: Point[]): void {
  context.beginPath();
  context.moveTo(points[0][0], points[0][1]);
  for (let k = 1; k < points.length; k++) context.lineTo(points[k][0], points[k][1]);
  context.stroke();
}

function layerCanvas(className: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = `trail-canvas ${className}`;
  return canvas;
}
