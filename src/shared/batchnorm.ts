// The batch norm lesson's requests and results: Santurkar et al. (2018)'s smoothness along the gradient
// (Engine.networkSmoothness) and the study that trains a network with and without batch norm (src/engine/batchnormStudy.ts).
import type { RunConfig } from './scenarioModel';

type RunSpec = Omit<RunConfig, 'options'> & { options?: Record<string, unknown> };

/** The loss's variation and the gradient's change along the gradient direction at each parameter vector. */
export interface NetworkSmoothnessRequest {
  /** A .loss text with a network line. */
  loss: string;
  params: number[][];
  /** The largest step along the gradient: x - eta g for eta up to etaMax. */
  etaMax: number;
  /** Step sizes tried, evenly spaced in (0, etaMax] (default 8). */
  steps?: number;
}

export interface SmoothnessPoint {
  /** L(x), a full-batch training forward. */
  loss: number;
  /** max - min of L(x - eta g) over the step sizes (and eta = 0). */
  lossVariation: number;
  /** max over the step sizes of ||grad L(x - eta g) - g||. */
  gradientChange: number;
  gradientNorm: number;
}

/** Trains the lesson's network with and without batch norm at each learning rate, and with noisy BN. */
export interface BatchnormStudyRequest {
  loss: string;
  /** The optimizer and its options; lr is each of lrs. */
  run: RunSpec;
  steps: number;
  /** A small and a large learning rate. */
  lrs: number[];
  /** Loss recorded every this many steps. */
  every: number;
  /** Noisy BN's scale for the extra run (at the largest learning rate); 0: none. */
  noise: number;
  /** Points of the small-rate paths (with and without BN) where the smoothness is measured. */
  points: number;
  /** The smoothness's largest step along the gradient. */
  etaMax: number;
}

export interface BatchnormStudyResult {
  /** Each run's label, recorded steps and training losses. */
  labels: string[];
  steps: number[][];
  losses: number[][];
  /** With and without BN (the small rate's paths): the step of each measured point and its smoothness. */
  smoothness: { labels: string[]; steps: number[][]; points: SmoothnessPoint[][] };
}
