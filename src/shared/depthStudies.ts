// The initialization and skip-connection lessons' studies (issue 18, lessons 1 and 7): their requests and results, and
// the edits of a .loss text's network line they make. No 'vscode' or DOM imports: the engine, the host and the webview share it.
import type { INIT_SCHEMES } from './network';
import { withNetworkOptions } from './networkEdits';

/** A run of a study (engineApi's RunSpec without start: the study's network line gives it). */
interface StudyRun {
  optimizer: string;
  options?: Record<string, unknown>;
}

/** An initialization as the network line writes it: the scheme and, for normal / uniform, its std. */
export interface InitChoice {
  init: (typeof INIT_SCHEMES)[number];
  std?: number;
}

/** Per initialization: each layer's activation and gradient std at init (networkLayerStats), then a training curve. */
export interface InitStudyRequest {
  /** A .loss text with a network line; its init (and std) are replaced by each choice. */
  loss: string;
  inits: InitChoice[];
  /** Activations whose statistics at init are measured too (the network line's own comes first either way). */
  alsoActivations?: string[];
  run: StudyRun;
  steps: number;
  /** A curve point every this many steps. */
  every: number;
}

export interface InitStudyPanel {
  activation: string;
  /** [init][layer]: the std over samples x units of each Linear layer's activations (the last: the outputs). */
  activationStd: number[][];
  /** [init][layer]: the std of d(loss)/dz, z each Linear layer's output. */
  gradientStd: number[][];
}

export interface InitStudyResult {
  /** Each initialization's label, e.g. "normal std=0.01". */
  labels: string[];
  /** The network line's activation first. */
  panels: InitStudyPanel[];
  /** Per initialization (the network line's activation): the steps and training losses of its curve. */
  steps: number[][];
  losses: number[][];
}

/** Li et al. 2018: the same network trained without and with skip connections, and filter-normalized slices at the ends. */
export interface SkipStudyRequest {
  /** A .loss text with a network line of equal hidden widths; residual= is set false, then true. */
  loss: string;
  run: StudyRun;
  steps: number;
  every: number;
  /** Grid points per side of each slice. */
  size: number;
  /** The random directions' seed. */
  seed: number;
  /** Width: the plain network again with `layers` hidden layers of each of `units` (the file's other options kept). */
  widths?: { layers: number; units: number[] };
}

/** A grid's roughness (see sliceRoughness in src/engine/depthStudies.ts). */
export interface Roughness {
  /** The mean number of turns (the slope changing sign) along the grid's rows and columns (0: monotone, 1: one valley). */
  turns: number;
  /** Interior grid points below all eight neighbours. */
  minima: number;
}

export interface SkipSlice {
  label: string;
  /** 'skip': the file's network without and with skip connections; 'width': the plain network at a width. */
  group: 'skip' | 'width';
  residual: boolean;
  /** The hidden layers' widths. */
  hidden: number[];
  /** The training loss on the grid, row-major with b outer (NetworkLandscapeResult.values). */
  values: number[];
  min: number;
  max: number;
  size: [number, number];
  x: [number, number];
  y: [number, number];
  centerLoss: number;
  roughness: Roughness;
  steps: number[];
  losses: number[];
}

export interface SkipStudyResult {
  seed: number;
  slices: SkipSlice[];
}

/** Progress of a study: runs and slices done of all. */
export interface DepthStudyProgress {
  done: number;
  total: number;
}

/** The label of an initialization as the network line writes it. */
export function initLabel({ init, std }: InitChoice): string {
  return std === undefined ? init : `${init} std=${std}`;
}

/** The loss text with its network line's hidden widths replaced by hidden(the written ones); input and output widths kept. */
export function withHiddenWidths(text: string, hidden: (written: number[]) => number[]): string {
  return text.replace(/^(\s*network\s+)(\d+(?:\s*-\s*\d+)+)/m, (_, head: string, widths: string) => {
    const list = widths.split('-').map((w) => Number(w.trim()));
    return head + [list[0], ...hidden(list.slice(1, -1)), list[list.length - 1]].join('-');
  });
}

/** The loss text with its network line's initialization set to choice (std replaced or dropped, value dropped). */
export function withNetworkInit(text: string, choice: InitChoice): string {
  return withNetworkOptions(text, { init: choice.init, std: choice.std, value: undefined });
}
