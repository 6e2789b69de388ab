// Requests and results of network landscapes (Engine.networkLandscape, Engine.networkSharpness), and the Playground's
// query for one. No 'vscode' or DOM imports: the engine, the host and the webview share it.
import * as v from 'valibot';
import { LIMITS } from './limits';

/**
 * The plane's two directions:
 * - random: seeded Gaussian directions, filter-normalized (Li et al. 2018: each neuron's incoming weights scaled to
 *   that neuron's norm in the centre; biases and batch-norm parameters zero); d2 uses seed + 1. Ranges are in units
 *   of the directions (a = 1: every neuron moved by its own norm).
 * - pca: the top two principal directions of the paths' rows minus the centre (centred, as PCA does), unit vectors.
 * - hessian: the Hessian's two eigenvectors of largest |eigenvalue| at the centre, unit vectors.
 * - between: the plane through the centre and two other parameter vectors (d1 = ends[0] - centre, d2 = ends[1] - centre).
 */
export type NetworkDirections =
  | { kind: 'random'; seed?: number }
  | { kind: 'pca' }
  | { kind: 'hessian'; seed?: number }
  | { kind: 'between'; ends: [number[], number[]] };

export interface NetworkLandscapeRequest {
  /** A network loss (a .loss text with a network line). */
  loss: string;
  /** The parameters at the slice's centre (LossInfo.params order), e.g. a run's last row or the scrubbed step's. */
  center: number[];
  directions: NetworkDirections;
  /** Grid points along a and b. */
  size: [number, number];
  /** The ranges of a and b; default [-1, 1] each, and for pca the projected paths' extent widened by a fifth on each side. */
  x?: [number, number];
  y?: [number, number];
  /** Parameter paths (each a list of parameter vectors, e.g. runs' rows) projected on the plane; pca's data. */
  paths?: number[][][];
}

export interface NetworkLandscapeResult {
  /**
   * The training loss (full batch; batch norm in train mode with the batch's statistics, as the runs' losses) at
   * nx*ny points centre + a d1 + b d2, row-major with b outer: values[j*nx + i] at (a_i, b_j).
   */
  values: Float64Array;
  min: number;
  max: number;
  /** The loss at the centre. */
  centerLoss: number;
  x: [number, number];
  y: [number, number];
  size: [number, number];
  /** d1 and d2 (dim each). */
  directions: [Float64Array, Float64Array];
  /** pca: the fraction of the paths' variance each direction captures. */
  variance?: [number, number];
  /** hessian: the two eigenvalues, largest magnitude first. */
  eigenvalues?: [number, number];
  /** Each path's points as (a, b) pairs on the plane (rows x 2; the least-squares coordinates for points off it). */
  paths?: Float64Array[];
}

/** Progress of a network landscape: what it is computing, and how far (0..1). */
export interface NetworkLandscapeProgress {
  phase: 'directions' | 'slice';
  done: number;
}

export interface NetworkSharpnessRequest {
  loss: string;
  center: number[];
  /** The ball's radius in filter-normalized units (0.05: each neuron moved by up to 5% of its norm); default 0.05. */
  radius?: number;
  /** Sampled directions; default 32. */
  samples?: number;
  seed?: number;
}

export interface NetworkSharpnessResult {
  /** The loss at the centre. */
  loss: number;
  /** The Hessian's eigenvalue of largest magnitude at the centre. */
  topEigenvalue: number;
  /** The largest loss increase over the sampled directions within the ball (at half and the full radius, both signs). */
  ballIncrease: number;
  radius: number;
  samples: number;
}

// ---- The Playground's network landscape (webview -> host), validated by the host ----

/** The Playground's slice: grid points per side, path rows sent per run, and all path values together at most. */
export const PANEL_NETWORK_LANDSCAPE = {
  size: 48, maxSide: 128, rowsPerPath: 400, maxPathValues: 4_000_000,
  /** The plane through the runs' ends: a little past each end (they are at 0 and 1). */
  betweenRange: [-0.5, 1.5] as [number, number],
};

const finite = v.pipe(v.number(), v.finite());
const vector = v.pipe(v.array(finite), v.maxLength(LIMITS.network.params));
const side = v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(PANEL_NETWORK_LANDSCAPE.maxSide));

const range = v.pipe(v.tuple([finite, finite]), v.check(([low, high]) => low < high && high - low <= 1e6, 'a range [low, high] with low < high'));

/** What the Playground asks for: PCA of its runs' paths (centred at a run's end), seeded random directions, the Hessian's, or the plane through two more points. */
export const NetworkLandscapeQuerySchema = v.pipe(
  v.object({
    loss: v.pipe(v.string(), v.maxLength(LIMITS.lossLength)),
    center: vector,
    directions: v.variant('kind', [
      v.object({ kind: v.literal('pca') }),
      v.object({ kind: v.literal('random'), seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31))) }),
      v.object({ kind: v.literal('hessian') }),
      v.object({ kind: v.literal('between'), ends: v.tuple([vector, vector]) }),
    ]),
    size: v.tuple([side, side]),
    x: v.optional(range),
    y: v.optional(range),
    paths: v.optional(v.pipe(v.array(v.pipe(v.array(vector), v.maxLength(PANEL_NETWORK_LANDSCAPE.rowsPerPath))), v.maxLength(LIMITS.maxRuns))),
  }),
  v.check(
    (query) => (query.paths ?? []).reduce((sum, path) => sum + path.length, 0) * query.center.length <= PANEL_NETWORK_LANDSCAPE.maxPathValues,
    `paths of at most ${PANEL_NETWORK_LANDSCAPE.maxPathValues} values in all`,
  ),
  v.forward(
    v.check(
      (query) => query.directions.kind !== 'between' || query.directions.ends.every((end) => end.length === query.center.length),
      'the plane\'s ends have as many parameters as its centre',
    ),
    ['directions'],
  ),
);

export type NetworkLandscapeQuery = v.InferOutput<typeof NetworkLandscapeQuerySchema>;

/** The host's answer: the query's loss and kind of directions with the engine's result (without the direction vectors). */
export type NetworkLandscapeData = Omit<NetworkLandscapeResult, 'directions'> & { loss: string; kind: NetworkLandscapeQuery['directions']['kind'] };

/** The Playground's sharpness query: the ball's radius (filter-normalized units) and sampled directions, bounded. */
export const PANEL_NETWORK_SHARPNESS = { radius: 0.05, samples: 32, maxSamples: 256 };

/** Sharpness at one point of a run (the shown step): the Hessian's top eigenvalue and the ball's largest loss increase. */
export const NetworkSharpnessQuerySchema = v.object({
  loss: v.pipe(v.string(), v.maxLength(LIMITS.lossLength)),
  center: vector,
  radius: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(10))),
  samples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(PANEL_NETWORK_SHARPNESS.maxSamples))),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31))),
});

export type NetworkSharpnessQuery = v.InferOutput<typeof NetworkSharpnessQuerySchema>;
