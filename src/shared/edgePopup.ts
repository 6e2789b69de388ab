// Edge-popup (Ramanujan et al. 2020), the strong lottery ticket: a subnetwork of a random network found by training
// scores, not weights (core/assembly/edgePopup.ts). Engine.edgePopup's request and result.

export interface EdgePopupRequest {
  /** A .loss text with a network line; its start (the seeded initialization) is the random network, never trained. */
  loss: string;
  /** The fraction of each layer's weights the subnetwork keeps, in (0, 1]. */
  keep: number;
  /** Score updates (each a full-batch forward and backward pass of the masked network). */
  steps: number;
  /** The scores' learning rate (plain gradient descent on them). */
  lr: number;
  /** The network seed whose initial weights' magnitudes are the initial scores (default: the network's seed + 1). */
  scoreSeed?: number;
}

export interface EdgePopupResult {
  /** The masked network's training loss before each score update, and after the last (steps + 1 values). */
  losses: number[];
  /** The final subnetwork: 1 for a kept parameter, 0 for a weight left out (biases are always kept). */
  mask: number[];
  /** The final subnetwork's parameters: the random start, with the left-out weights zero. */
  params: number[];
  /** The fraction of the weights kept. */
  kept: number;
  /**
   * With a test split (and no batch norm): the subnetwork's test loss and accuracy (NaN for mse) after `steps[i]` score
   * updates, at step 0 (the random mask the initial scores pick), every EDGE_POPUP_CHUNK steps and the last.
   */
  test?: { steps: number[]; losses: number[]; accuracies: number[] };
}

/** Score updates between progress reports (and cancel checks). */
export const EDGE_POPUP_CHUNK = 50;

/** Score updates done of the request's steps. */
export interface EdgePopupProgress {
  done: number;
  total: number;
}
