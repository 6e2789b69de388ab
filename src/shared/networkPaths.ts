// Requests and results of the engine's network paths (src/engine/networkPaths.ts): loss profiles along lines and
// Bezier curves between two parameter vectors, training a curve's bend, permuting hidden units and weight matching;
// and the Playground's query for the loss along a line (webview/network/networkLinePanel.ts).
import * as v from 'valibot';
import { LIMITS } from './limits';
import type { NetworkSharpnessResult } from './networkLandscape';

/** The loss along the line from -> to, or along the quadratic Bezier curve from -> bend -> to. */
export interface NetworkPathRequest {
  /** A network loss (a .loss text with a network line). */
  loss: string;
  from: number[];
  to: number[];
  /** The curve's bend (control point); absent: the straight line. */
  bend?: number[];
  /** Evenly spaced t in [0, 1] (default 25, 2 to LIMITS.maxGridSide). */
  points?: number;
  /**
   * The line only: also the points past both ends at the same spacing, out to t = -extend and 1 + extend (0 to 1,
   * rounded to whole steps; default 0), so that the shape around the ends shows.
   */
  extend?: number;
}

export interface NetworkPathResult {
  t: number[];
  /** The training loss at each t (batch norm with the batch's statistics). */
  train: number[];
  /** The test loss at each t, when the data has a test split. */
  test?: number[];
  /** Classifiers: the accuracy on the training and test samples at each t. */
  trainAccuracy?: number[];
  testAccuracy?: number[];
  /** The largest training loss along the path (t in [0, 1]) minus the larger of its two ends' (0 when no higher point). */
  barrier: number;
  /** The same of the test loss, when there is one. */
  testBarrier?: number;
}

/** Training the bend of the curve from -> bend -> to (Garipov et al. 2018) to lower the mean loss along it. */
export interface BendRequest {
  loss: string;
  from: number[];
  to: number[];
  /** The starting bend; absent: the midpoint of from and to (the straight line). */
  bend?: number[];
  /** A built-in first-order optimizer (default adam) and its options (default lr 0.01). */
  optimizer?: string;
  options?: Record<string, unknown>;
  steps: number;
  /** Seeds the t drawn at each step. */
  seed?: number;
}

export interface BendProgress {
  done: number;
  steps: number;
  /** The mean sampled loss over the last chunk. */
  loss: number;
}

export interface BendResult {
  bend: number[];
  /** Steps done (fewer than asked when cancelled). */
  done: number;
  /** The mean sampled loss per chunk of steps, in order. */
  losses: number[];
}

/** The parameters with each hidden layer's units reordered. */
export interface NetworkPermuteRequest {
  loss: string;
  params: number[];
  /** Per hidden layer, a permutation of 0..width-1: unit j of the result is unit permutation[l][j] of params. */
  permutation: number[][];
}

/** Weight matching (Ainsworth et al. 2022): params' hidden units permuted to be most like reference's. */
export interface NetworkAlignRequest {
  loss: string;
  reference: number[];
  params: number[];
  /** Coordinate-descent sweeps over the layers at most (default 100). */
  maxSweeps?: number;
}

export interface NetworkAlignResult {
  /** params permuted (the same function). */
  params: number[];
  permutation: number[][];
  sweeps: number;
}

/**
 * A lesson's study of paths between two trained networks (Lesson.paths): the lesson's .loss file gives the data, the
 * network and the training (its first optimizer line and steps); net A starts from the network line's initialization,
 * net B from the same line with seed `seed`. 'permutation': A, A with its hidden units permuted, B, and B aligned to A
 * by weight matching; 'mode-connectivity': the line from A to B and a Bezier curve whose bend is trained for bendSteps.
 */
export interface PathStudy {
  kind: 'permutation' | 'mode-connectivity';
  /** Net B's initialization seed. */
  seed: number;
  /** Points along each path. */
  points: number;
  /** mode-connectivity: the bend's training (Adam). */
  bendSteps?: number;
  bendLr?: number;
}

/** One loss profile of a study: the train (and test) loss at t in [0, 1] along a path. */
export interface PathProfile {
  label: string;
  t: number[];
  train: number[];
  test?: number[];
  barrier: number;
}

/** A study's result for the page: its profiles and what was checked, as sentences. */
export interface PathStudyData {
  profiles: PathProfile[];
  notes: string[];
  /** The sharpness at the trained ends A and B (Engine.networkSharpness, PANEL_NETWORK_SHARPNESS's ball). */
  sharpness?: { a: NetworkSharpnessResult; b: NetworkSharpnessResult };
}

// ---- The Playground's loss along a line (webview -> host), validated by the host ----

/** The Playground's line: points on [0, 1], how far past each end (a fraction of the segment), and the most points asked. */
export const PANEL_NETWORK_LINE = { points: 41, extend: 0.25, maxPoints: 401 };

const finite = v.pipe(v.number(), v.finite());
const vector = v.pipe(v.array(finite), v.minLength(1), v.maxLength(LIMITS.network.params));

/** The loss along the straight line between two of the runs' parameter vectors (a run's start and end, two runs' ends). */
export const NetworkLineQuerySchema = v.pipe(
  v.object({
    loss: v.pipe(v.string(), v.maxLength(LIMITS.lossLength)),
    from: vector,
    to: vector,
    points: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(PANEL_NETWORK_LINE.maxPoints)),
    extend: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  }),
  v.check((query) => query.from.length === query.to.length, 'from and to of the same length (one network\'s parameters each)'),
);

export type NetworkLineQuery = v.InferOutput<typeof NetworkLineQuerySchema>;
