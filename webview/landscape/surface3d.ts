// The 3-D view: the loss surface as a shaded mesh (canvas 2-D, painter's algorithm), the trajectories on it
// and the current step's markers; drag to rotate, wheel to zoom, double-click or the button to reset.
import { symbol, symbolStar } from 'd3-shape';
import type { LossInfo } from '../../src/shared/engineApi';
import type { LandscapeData, TraceData } from '../../src/shared/protocol';
import { valueTransform } from './colorScale';
import { backToFront, boxMapping, DEFAULT_CAMERA, heightTransform, projector, quadShade, rotateCamera, surfaceMesh, zoomCamera, type BoxMapping, type Camera, type Mesh, type Projected } from './projection';
import { heatmapPalette, readTheme, type Theme } from '../dom/theme';
import { stepVectors, surfaceDirection } from './arrows';
import { lossAt, positionAt, rowAtStep, type Point } from '../runs/traces';
import { stepArrowPaths } from './vectorOverlays';

/** Mesh points a side: 72 x 72 quads redraw in a few milliseconds while dragging. */
const MESH_RESOLUTION = 72;
/** Rows drawn per trajectory at most (longer runs are sampled at a stride). */
const MAX_POINTS = 1500;

export class Surface3D {
  readonly element = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  /** The shaded surface for the current camera and size; trajectories are drawn over a copy of it. */
  private readonly surfaceLayer = document.createElement('canvas');
  private camera: Camera = { ...DEFAULT_CAMERA };
  private theme: Theme = readTheme();
  private data: LandscapeData | undefined;
  private mesh: Mesh | undefined;
  private box: BoxMapping | undefined;
  private traces: TraceData[] = [];
  private colors: string[] = [];
  private step = 0;
  private minima: LossInfo['minima'] = [];
  private params: string[] = ['x', 'y'];
  private width = 0;
  private height = 0;
  private surfaceStale = true;
  private frameRequested = false;
  private visible = false;
  private stepArrows = false;

  constructor() {
    this.element.className = 'surface3d';
    this.element.hidden = true;
    this.canvas.className = 'surface3d-canvas';
    this.canvas.setAttribute('aria-label', 'Loss surface in 3-D: drag to rotate, scroll to zoom');
    const bar = document.createElement('div');
    bar.className = 'surface3d-bar';
    const hint = Object.assign(document.createElement('span'), { className: 'hint', textContent: 'drag to rotate · scroll to zoom' });
    const reset = Object.assign(document.createElement('vscode-button'), { className: 'reset-camera', secondary: true, textContent: 'Reset camera' });
    reset.addEventListener('click', () => this.resetCamera());
    bar.append(hint, reset);
    this.element.append(this.canvas, bar);

    let last: [number, number] | undefined;
    this.canvas.addEventListener('pointerdown', (event) => {
      last = [event.clientX, event.clientY];
      this.canvas.setPointerCapture(event.pointerId);
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!last) return;
      this.setCamera(rotateCamera(this.camera, event.clientX - last[0], event.clientY - last[1]));
      last = [event.clientX, event.clientY];
    });
    const release = () => (last = undefined);
    this.canvas.addEventListener('pointerup', release);
    this.canvas.addEventListener('pointercancel', release);
    this.canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        this.setCamera(zoomCamera(this.camera, event.deltaY));
      },
      { passive: false },
    );
    this.canvas.addEventListener('dblclick', () => this.resetCamera());
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  show(visible: boolean): void {
    this.visible = visible;
    this.element.hidden = !visible;
    if (visible) {
      this.resize();
      this.requestDraw();
    }
  }

  resetCamera(): void {
    this.setCamera({ ...DEFAULT_CAMERA });
  }

  private setCamera(camera: Camera): void {
    this.camera = camera;
    this.surfaceStale = true;
    this.requestDraw();
  }

  /** Names of the plotted parameters (axis labels). */
  setParams(params: string[]): void {
    this.params = [params[0] ?? 'x', params[1] ?? 'y'];
    this.surfaceStale = true;
    this.requestDraw();
  }

  setLandscape(data: LandscapeData): void {
    this.data = data;
    // Its mesh is made when it is drawn: a hidden 3-D view costs nothing.
    this.mesh = undefined;
    this.box = undefined;
    this.surfaceStale = true;
    this.requestDraw();
  }

  private makeMesh(data: LandscapeData): void {
    const colours = valueTransform(data.values, data.min, data.max);
    const heights = heightTransform(colours, data.min, data.max);
    this.mesh = surfaceMesh(data, colours, heights, MESH_RESOLUTION);
    this.box = boxMapping(data, heights);
  }

  setTraces(traces: TraceData[], colors: string[]): void {
    this.traces = traces;
    this.colors = colors;
    this.requestDraw();
  }

  setStep(step: number): void {
    this.step = step;
    this.requestDraw();
  }

  /** The lecture's arrows at the current step: −∇f along the surface (dashed) and the step taken (solid). */
  setStepArrows(shown: boolean): void {
    this.stepArrows = shown;
    this.requestDraw();
  }

  /** The known minima (the start is row 0 of the runs). */
  setMinima(minima: LossInfo['minima']): void {
    this.minima = minima;
    this.requestDraw();
  }

  refreshTheme(): void {
    this.theme = readTheme();
    this.surfaceStale = true;
    this.requestDraw();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    if (box.width === this.width && box.height === this.height) return;
    this.width = box.width;
    this.height = box.height;
    const ratio = window.devicePixelRatio || 1;
    for (const canvas of [this.canvas, this.surfaceLayer]) {
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
    }
    this.surfaceStale = true;
    this.requestDraw();
  }

  /** Draws at the next animation frame (many changes in one frame draw once). */
  private requestDraw(): void {
    if (!this.visible || this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  private project(): (x: number, y: number, z: number) => Projected {
    return projector(this.camera, this.width, this.height);
  }

  private draw(): void {
    if (!this.width) return;
    if (!this.mesh && this.data) this.makeMesh(this.data);
    if (this.surfaceStale) {
      this.drawSurface();
      this.surfaceStale = false;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.surfaceLayer, 0, 0);
    const ratio = this.canvas.width / this.width;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.drawTrajectories(ctx);
  }

  private drawSurface(): void {
    const ctx = this.surfaceLayer.getContext('2d')!;
    const ratio = this.surfaceLayer.width / this.width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, this.surfaceLayer.width, this.surfaceLayer.height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const mesh = this.mesh;
    if (!mesh || !this.data) return;
    const project = this.project();
    this.drawFloor(ctx, project);
    const palette = heatmapPalette();
    const corners = new Array<Projected>(4);
    const qx = mesh.nx - 1;
    ctx.lineWidth = 0.6;
    ctx.lineJoin = 'round';
    for (const q of backToFront(mesh, project)) {
      const i = q % qx;
      const k = ((q - i) / qx) * mesh.nx + i;
      const ks = [k, k + 1, k + mesh.nx + 1, k + mesh.nx];
      const colour = (mesh.colour[ks[0]] + mesh.colour[ks[1]] + mesh.colour[ks[2]] + mesh.colour[ks[3]]) / 4;
      if (Number.isNaN(colour)) continue;
      ks.forEach((p, c) => (corners[c] = project(mesh.xs[p], mesh.ys[p], mesh.zs[p])));
      const shade = quadShade(mesh, q);
      const index = Math.round(colour * 255) * 3;
      const fill = `rgb(${Math.round(palette[index] * shade)},${Math.round(palette[index + 1] * shade)},${Math.round(palette[index + 2] * shade)})`;
      ctx.beginPath();
      ctx.moveTo(corners[0][0], corners[0][1]);
      for (let c = 1; c < 4; c++) ctx.lineTo(corners[c][0], corners[c][1]);
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.strokeStyle = fill;
      ctx.fill();
      // Stroked in its own colour: no hairline gaps between neighbouring quads.
      ctx.stroke();
    }
  }

  /** The box's floor outline and the axes' names and ranges along the two edges nearest to the viewer. */
  private drawFloor(ctx: CanvasRenderingContext2D, project: (x: number, y: number, z: number) => Projected): void {
    const data = this.data!;
    const floor = -0.5;
    const corners = [
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ].map(([x, y]) => project(x, y, floor));
    ctx.strokeStyle = this.theme.foreground;
    ctx.globalAlpha = 0.45;
    ctx.lineWidth = 1;
    ctx.beginPath();
    corners.forEach((p, i) => (i === 0 ? ctx.moveTo(p[0], p[1]) : ctx.lineTo(p[0], p[1])));
    ctx.closePath();
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.theme.foreground;
    ctx.font = `11px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const format = (v: number) => String(Number(v.toPrecision(3)));
    // The edge along x nearer the viewer (y = -1 or 1), and the one along y (x = -1 or 1).
    const nearY = project(0, -1, floor)[2] < project(0, 1, floor)[2] ? -1 : 1;
    const nearX = project(-1, 0, floor)[2] < project(1, 0, floor)[2] ? -1 : 1;
    const label = (x: number, y: number, text: string) => {
      // Pushed outwards from the box's centre so the text clears the edge.
      const p = project(x * 1.18, y * 1.18, floor);
      ctx.fillText(text, p[0], p[1]);
    };
    label(0, nearY, `${this.params[0]} ${format(data.x[0])} … ${format(data.x[1])}`);
    label(nearX, 0, `${this.params[1]} ${format(data.y[0])} … ${format(data.y[1])}`);
  }

  private drawTrajectories(ctx: CanvasRenderingContext2D): void {
    const box = this.box;
    if (!box || !this.data) return;
    const project = this.project();
    const inside = (x: number, y: number) => Math.abs(x) <= 1 && Math.abs(y) <= 1;
    /** A point on the surface (lifted a little, so the line is not hidden in its own quads), or undefined outside. */
    const place = (point: [number, number], loss: number): Projected | undefined => {
      const x = box.x(point[0]);
      const y = box.y(point[1]);
      if (!inside(x, y) || !Number.isFinite(loss)) return undefined;
      return project(x, y, box.z(loss) + 0.01);
    };
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    this.traces.forEach((trace, index) => {
      if (trace.dim < 2) return;
      const last = rowAtStep(trace, this.step);
      const stride = Math.max(1, Math.ceil(trace.rowCount / MAX_POINTS));
      const points: (Projected | undefined)[] = [];
      for (let row = 0; row <= last; row += stride) points.push(place(positionAt(trace, row), lossAt(trace, row)));
      if (last % stride !== 0) points.push(place(positionAt(trace, last), lossAt(trace, last)));
      const path = new Path2D();
      let drawing = false;
      for (const p of points) {
        if (!p) {
          drawing = false;
          continue;
        }
        if (drawing) path.lineTo(p[0], p[1]);
        else path.moveTo(p[0], p[1]);
        drawing = true;
      }
      ctx.strokeStyle = this.theme.background;
      ctx.globalAlpha = 0.75;
      ctx.lineWidth = 4.5;
      ctx.stroke(path);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = this.colors[index];
      ctx.lineWidth = 2;
      ctx.stroke(path);
      const head = place(positionAt(trace, last), lossAt(trace, last));
      if (head) {
        ctx.beginPath();
        ctx.arc(head[0], head[1], 4.5, 0, 2 * Math.PI);
        ctx.fillStyle = this.colors[index];
        ctx.fill();
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = this.theme.background;
        ctx.stroke();
      }
    });
    if (this.stepArrows) {
      this.drawStepArrows(ctx, (point, loss) => {
        const p = place(point, loss);
        return p && [p[0], p[1]];
      });
    }
    ctx.fillStyle = this.theme.foreground;
    ctx.strokeStyle = this.theme.background;
    for (const minimum of this.minima) {
      const p = place([minimum.point[0], minimum.point[1]], minimum.value);
      if (!p) continue;
      ctx.save();
      ctx.translate(p[0], p[1]);
      const star = new Path2D(symbol(symbolStar, 70)() ?? '');
      ctx.lineWidth = 1;
      ctx.fill(star);
      ctx.stroke(star);
      ctx.restore();
    }
    const first = this.traces[0];
    const start = first && first.dim >= 2 ? place(positionAt(first, 0), lossAt(first, 0)) : undefined;
    if (start) {
      ctx.beginPath();
      ctx.arc(start[0], start[1], 5, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = this.theme.foreground;
      ctx.stroke();
    }
  }

  /** Each run's arrows at the current step, on the surface: `place` puts a point with its loss on screen. */
  private drawStepArrows(ctx: CanvasRenderingContext2D, place: (point: Point, loss: number) => Point | undefined): void {
    const extent = this.data ? this.data.x[1] - this.data.x[0] : 1;
    ctx.lineCap = 'round';
    this.traces.forEach((trace, index) => {
      const row = rowAtStep(trace, this.step);
      const vectors = stepVectors(trace, row);
      const from = vectors && place(vectors.origin, lossAt(trace, row));
      if (!vectors || !from) return;
      const { origin, descent, update } = vectors;
      const direction = descent && surfaceDirection(place, origin, lossAt(trace, row), descent, extent);
      const next = update && place([origin[0] + update[0], origin[1] + update[1]], lossAt(trace, row + 1));
      for (const arrow of stepArrowPaths(from, direction, next)) {
        const path = new Path2D(arrow.d);
        ctx.setLineDash(arrow.kind === 'descent' ? [5, 3] : []);
        // A halo in the background colour keeps the arrow visible on any part of the surface.
        ctx.globalAlpha = 0.75;
        ctx.strokeStyle = this.theme.background;
        ctx.lineWidth = 4.5;
        ctx.stroke(path);
        ctx.globalAlpha = 1;
        ctx.strokeStyle = this.colors[index];
        ctx.lineWidth = arrow.kind === 'descent' ? 1.8 : 2.2;
        ctx.stroke(path);
      }
    });
    ctx.setLineDash([]);
  }
}
