// Studies: sequences of training runs the engine orchestrates in its worker (the lottery ticket's pruning rounds, a
// scenario trained from many seeds), with their requests, progress and results.
import type { RunConfig } from './scenarioModel';
import { withHiddenWidths, type InitStudyResult, type SkipStudyResult } from './depthStudies';
import type { BatchnormStudyResult } from './batchnorm';

/** A run of a study (engineApi's RunSpec, written here so that engineApi can name the studies). */
type RunSpec = Omit<RunConfig, 'options'> & { options?: Record<string, unknown> };

/** Iterative magnitude pruning (Frankle & Carbin 2019) of a network loss's weight matrices. */
export interface LotteryRequest {
  /** A .loss text with a network line and data with a test split (test=). */
  loss: string;
  /** How each round trains (optimizer, options, minibatches); its start and freeze are the study's. */
  run: RunSpec;
  steps: number;
  /** Pruning rounds after the full network's training (each prunes `prune` of the weights left). */
  rounds: number;
  /** The fraction of the remaining weights pruned per round, in (0, 1). */
  prune: number;
  /** Prune the smallest weights of each layer (Frankle & Carbin's choice) or the smallest of all layers together. */
  scope: 'layer' | 'global';
  /** The network seed of the random re-initialization (default: the network's seed + 1). */
  reinitSeed?: number;
}

export interface LotteryRound {
  /** The fraction of the weights (weight matrices; biases are never pruned) left. */
  remaining: number;
  /** Final test accuracy (test loss for an mse network) of the ticket: the survivors reset to their initial values. */
  ticket: number;
  /** The same mask on a random re-initialization. */
  random: number;
  /** The round's mask (LotteryResult.mask's form): 1 for a kept parameter, 0 for a pruned weight. */
  mask: number[];
}

export interface LotteryResult {
  /** 'accuracy' for bce / cross_entropy networks, 'loss' (test mse) for mse ones. */
  metric: 'accuracy' | 'loss';
  /** Round 0 is the full network (remaining 1). */
  rounds: LotteryRound[];
  /** The last round's mask: 1 for a kept parameter, 0 for a pruned weight. */
  mask: number[];
  /** The network the mask is of, to draw it (NetworkInfo's widths and batchnorm). */
  network: { widths: number[]; batchnorm: boolean };
  /** The last round's ticket's trained parameters (pruned weights zero). */
  ticket: number[];
}

/**
 * The strong lottery ticket (Ramanujan et al. 2020) beside the lottery rounds: edge-popup's score training on the
 * lesson's network line, widened, on a fixed small data set; against a random mask of the same size and the dense net.
 */
export interface StrongTicketRequest {
  /** The lesson's loss text: its network line (hidden widths times `widen`, init=kaiming_uniform) is used, its data line replaced by `data`. */
  loss: string;
  /** The data line the part trains on. */
  data: string;
  widen: number;
  /** The fraction of each layer's weights the subnetwork keeps. */
  keep: number;
  /** Score updates, and the dense run's steps. */
  steps: number;
  /** The scores' learning rate. */
  lr: number;
  /** How the dense comparison trains (every weight, from the same start). */
  run: RunSpec;
}

export interface StrongTicketResult {
  /** The data and network lines the part ran. */
  lines: string[];
  keep: number;
  /** Edge-popup's subnetwork's training loss at steps 0 to `steps`; at step 0, a random mask (the initial scores are random). */
  popup: number[];
  /** The dense network trained normally: its recorded steps and training losses. */
  dense: { steps: number[]; losses: number[] };
  /** Final test accuracy (NaN: no test split, or an mse network) of the random mask, edge-popup's subnetwork, the dense net. */
  accuracy: { randomMask: number; popup: number; dense: number };
}

/** The loss text with its first data line replaced by line. */
export function withDataLine(text: string, line: string): string {
  return text.replace(/^\s*data\b[^\n]*/m, line);
}

/** One scenario trained from several network seeds (Safran & Shamir's histogram of final losses). */
export interface SeedStudyRequest {
  /** A .loss text with a network line; its seed option is replaced by each seed. */
  loss: string;
  run: RunSpec;
  steps: number;
  seeds: number[];
}

export interface SeedStudyResult {
  /** Each seed's final training loss, in the order of seeds. */
  losses: number[];
}

/** Progress of a study: runs done of runs in all. */
export interface StudyProgress {
  done: number;
  total: number;
}

/** A lesson study's results as the lesson view draws them. */
export type StudyData =
  /** strong: the strong ticket's part (edge-popup), when the lesson has one; strongError: why that part did not run. */
  | { kind: 'lottery'; result: LotteryResult; strong?: StrongTicketResult; strongError?: string }
  /** Each width factor's final losses (factors: the written hidden widths times each). */
  | { kind: 'seeds'; factors: number[]; losses: number[][] }
  /** Each run's training and test error (1 - accuracy) at the measured steps. */
  | { kind: 'curves'; labels: string[]; steps: number[][]; train: number[][]; test: number[][] }
  | { kind: 'init'; result: InitStudyResult }
  | { kind: 'skip'; result: SkipStudyResult }
  /** The batch norm lesson's loss curves and smoothness (src/shared/batchnorm.ts). */
  | { kind: 'batchnorm'; result: BatchnormStudyResult };

/** The loss text with its network line's hidden widths multiplied by factor (network 6-6-1 x 4: network 6-24-1). */
export function withWiderNetwork(text: string, factor: number): string {
  return withHiddenWidths(text, (hidden) => hidden.map((w) => w * factor));
}
