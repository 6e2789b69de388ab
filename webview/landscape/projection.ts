// The 3-D view's geometry (pure): an orbiting camera, orthographic projection, the surface mesh and the
// back-to-front order for the painter's algorithm.
import type { LandscapeData } from '../../src/shared/protocol';
import { logAboveMin, type ValueTransform } from './colorScale';

/** yaw turns about the vertical axis; elevation 0 looks from the side, π/2 from straight above; zoom scales. */
export interface Camera {
  yaw: number;
  elevation: number;
  zoom: number;
}

export const DEFAULT_CAMERA: Camera = { yaw: -0.65, elevation: 0.6, zoom: 1 };
export const ELEVATION_RANGE: [number, number] = [0.05, Math.PI / 2];
export const ZOOM_RANGE: [number, number] = [0.4, 8];
/** The surface's height in the unit box (x and y span [-1, 1]); heights are centred on 0. */
export const SURFACE_HEIGHT = 1;

const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));

/** A drag of (dx, dy) pixels: right turns the surface to the right, down tilts it towards a side view. */
export function rotateCamera(camera: Camera, dx: number, dy: number, radiansPerPixel = 0.01): Camera {
  return { ...camera, yaw: camera.yaw - dx * radiansPerPixel, elevation: clamp(camera.elevation + dy * radiansPerPixel, ELEVATION_RANGE) };
}

/** A wheel turn: deltaY < 0 zooms in. */
export function zoomCamera(camera: Camera, deltaY: number): Camera {
  return { ...camera, zoom: clamp(camera.zoom * Math.exp(-deltaY * 0.0015), ZOOM_RANGE) };
}

/** Screen x, y in pixels (y down) and depth (larger is farther from the viewer). */
export type Projected = [number, number, number];

/** Projects unit-box points (x, y in [-1, 1], z about [-0.5, 0.5]) onto a width x height canvas. */
export function projector(camera: Camera, width: number, height: number): (x: number, y: number, z: number) => Projected {
  const cy = Math.cos(camera.yaw);
  const sy = Math.sin(camera.yaw);
  const ce = Math.cos(camera.elevation);
  const se = Math.sin(camera.elevation);
  // The unit box (its diagonal 2√2 wide, seen at an angle) about fills the smaller side at zoom 1.
  const scale = (camera.zoom * Math.min(width, height)) / 2.7;
  const centreX = width / 2;
  const centreY = height / 2;
  return (x, y, z) => {
    const across = x * cy - y * sy;
    const away = x * sy + y * cy;
    const up = z * ce + away * se;
    const depth = away * ce - z * se;
    return [centreX + scale * across, centreY - scale * up, depth];
  };
}

/**
 * The surface's heights: the colour scale's transform, with a log of the height above the minimum softened
 * (offset 1e-3 of the range rather than 1e-5): the last decades above the minimum flatten into a floor, so a
 * narrow valley is a groove rather than a comb of spikes between mesh points.
 */
export function heightTransform(colour: ValueTransform, min: number, max: number): ValueTransform {
  return colour.kind === 'log' ? logAboveMin(min, max, 1e-3) : colour;
}

/** Maps data coordinates and loss values (through the height transform) into the unit box. */
export interface BoxMapping {
  x(value: number): number;
  y(value: number): number;
  /** A loss value (not transformed) to a height; clamped to the surface's range. */
  z(loss: number): number;
}

export function boxMapping(extent: { x: [number, number]; y: [number, number] }, heights: ValueTransform): BoxMapping {
  const [x0, x1] = extent.x;
  const [y0, y1] = extent.y;
  const [lo, hi] = heights.domain;
  return {
    x: (v) => (2 * (v - x0)) / (x1 - x0) - 1,
    y: (v) => (2 * (v - y0)) / (y1 - y0) - 1,
    z: (loss) => {
      const t = hi > lo ? (heights.forward(loss) - lo) / (hi - lo) : 0.5;
      return (Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) - 0.5) * SURFACE_HEIGHT;
    },
  };
}

/** The surface on an n x m mesh resampled from the landscape: unit-box heights and colour positions in [0, 1]. */
export interface Mesh {
  nx: number;
  ny: number;
  /** Row-major with y outer, like the landscape. */
  xs: Float64Array;
  ys: Float64Array;
  zs: Float64Array;
  /** Colour position (0 low, 1 high); NaN where the loss is not finite. */
  colour: Float64Array;
}

/** Where a value sits in a transform's domain, in [0, 1]. */
function positionIn(transform: ValueTransform): (value: number) => number {
  const [lo, hi] = transform.domain;
  return (value) => (hi > lo ? Math.min(1, Math.max(0, (transform.forward(value) - lo) / (hi - lo))) : 0.5);
}

/**
 * Resamples a landscape to at most `resolution` points a side and lifts it into the unit box. Each mesh point
 * averages the grid points of its cell (colour and height positions), so narrow valleys do not alias into spikes.
 */
export function surfaceMesh(data: LandscapeData, colourTransform: ValueTransform, heights: ValueTransform, resolution: number): Mesh {
  const [gx, gy] = data.size;
  const nx = Math.min(gx, resolution);
  const ny = Math.min(gy, resolution);
  const colourAt = positionIn(colourTransform);
  const heightAt = positionIn(heights);
  const mesh: Mesh = { nx, ny, xs: new Float64Array(nx * ny), ys: new Float64Array(nx * ny), zs: new Float64Array(nx * ny), colour: new Float64Array(nx * ny) };
  // Half a cell either side (none when the mesh keeps every grid point).
  const radiusX = Math.ceil(((gx - 1) / (nx - 1) - 1) / 2);
  const radiusY = Math.ceil(((gy - 1) / (ny - 1) - 1) / 2);
  for (let j = 0; j < ny; j++) {
    const sj = Math.round((j * (gy - 1)) / (ny - 1));
    for (let i = 0; i < nx; i++) {
      const si = Math.round((i * (gx - 1)) / (nx - 1));
      let colour = 0;
      let height = 0;
      let count = 0;
      for (let b = Math.max(0, sj - radiusY); b <= Math.min(gy - 1, sj + radiusY); b++) {
        for (let a = Math.max(0, si - radiusX); a <= Math.min(gx - 1, si + radiusX); a++) {
          const value = data.values[b * gx + a];
          if (!Number.isFinite(value)) continue;
          colour += colourAt(value);
          height += heightAt(value);
          count++;
        }
      }
      const k = j * nx + i;
      mesh.xs[k] = (2 * i) / (nx - 1) - 1;
      mesh.ys[k] = (2 * j) / (ny - 1) - 1;
      mesh.zs[k] = count > 0 ? (height / count - 0.5) * SURFACE_HEIGHT : -SURFACE_HEIGHT / 2;
      mesh.colour[k] = count > 0 ? colour / count : NaN;
    }
  }
  return mesh;
}

/** Quad k has its lower-left corner at mesh point (k % (nx-1), floor(k / (nx-1))). Returns quad indices, farthest first. */
export function backToFront(mesh: Mesh, project: (x: number, y: number, z: number) => Projected): Uint32Array {
  const qx = mesh.nx - 1;
  const count = qx * (mesh.ny - 1);
  const depth = new Float64Array(count);
  for (let q = 0; q < count; q++) {
    const i = q % qx;
    const j = (q - i) / qx;
    const k = j * mesh.nx + i;
    // The quad's centre: mean of its four corners.
    const x = (mesh.xs[k] + mesh.xs[k + 1]) / 2;
    const y = (mesh.ys[k] + mesh.ys[k + mesh.nx]) / 2;
    const z = (mesh.zs[k] + mesh.zs[k + 1] + mesh.zs[k + mesh.nx] + mesh.zs[k + mesh.nx + 1]) / 4;
    depth[q] = project(x, y, z)[2];
  }
  const order = Uint32Array.from({ length: count }, (_, q) => q);
  order.sort((a, b) => depth[b] - depth[a]);
  return order;
}

/** Brightness of a quad from its normal and a light above and to the left of the viewer (ambient 0.55). */
export function quadShade(mesh: Mesh, q: number): number {
  const qx = mesh.nx - 1;
  const i = q % qx;
  const j = (q - i) / qx;
  const k = j * mesh.nx + i;
  const dx = mesh.xs[k + 1] - mesh.xs[k];
  const dy = mesh.ys[k + mesh.nx] - mesh.ys[k];
  const dzx = (mesh.zs[k + 1] + mesh.zs[k + mesh.nx + 1] - mesh.zs[k] - mesh.zs[k + mesh.nx]) / 2;
  const dzy = (mesh.zs[k + mesh.nx] + mesh.zs[k + mesh.nx + 1] - mesh.zs[k] - mesh.zs[k + 1]) / 2;
  // Normal of the surface z(x, y): (-dz/dx, -dz/dy, 1), normalised.
  const n = [-dzx / dx, -dzy / dy, 1];
  const length = Math.hypot(n[0], n[1], n[2]);
  const light = [-0.35, -0.45, 0.82];
  const lambert = (n[0] * light[0] + n[1] * light[1] + n[2] * light[2]) / length;
  return 0.55 + 0.45 * Math.max(0, lambert);
}
