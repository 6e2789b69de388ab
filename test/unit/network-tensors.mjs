// Tests of optimizers that work per tensor (Adafactor, the optimizer language's per-layer reductions): a small
// batch-norm network as a .loss text, its tensors as torch's model.parameters() lists them, and a recorded run.

export const WIDTHS = [2, 3, 2, 1];

export const NETWORK_LOSS = [
  'data x1, x2, y = [0.5, -1, 0.3; -0.2, 0.8, -0.7; 1.1, 0.4, 0.9; -0.9, -0.6, 0.1; 0.3, 0.2, -0.4]',
  `network ${WIDTHS.join('-')} activation=tanh loss=mse batchnorm=true`,
].join('\n');

/** Per layer W [out, in], b, and (hidden layers) BN weight and bias: { name, start, shape, count }. */
export function networkTensors(widths = WIDTHS) {
  const list = [];
  let start = 0;
  const add = (name, shape) => {
    const count = shape[0] * (shape[1] ?? 1);
    list.push({ name, start, shape, count });
    start += count;
  };
  for (let l = 1; l < widths.length; l++) {
    add(`W${l}`, [widths[l], widths[l - 1]]);
    add(`b${l}`, [widths[l]]);
    if (l < widths.length - 1) {
      add(`bn${l}.weight`, [widths[l]]);
      add(`bn${l}.bias`, [widths[l]]);
    }
  }
  return list;
}

/**
 * One run with its state recorded, read by step: the parameters, the gradient at them, a state by name, state vector k.
 * Asserts it completed.
 */
export async function recordedRun(engine, loss, optimizer, options, steps) {
  const [run] = await engine.runs({ loss, runs: [{ optimizer, options }], steps, recordState: true });
  if (run.status !== 'completed') throw new Error(`the run ended ${run.status}`);
  const width = run.dim + 2;
  const stateWidth = run.stateNames.length;
  const row = (t) => run.state.subarray(t * stateWidth, (t + 1) * stateWidth);
  return {
    run,
    params: (t) => Array.from(run.rows.subarray(t * width, t * width + run.dim)),
    grad: (t) => Array.from(row(t).subarray(0, run.dim)),
    state: (t, name) => row(t)[run.stateNames.indexOf(name)],
    vector: (t, k) => Array.from(row(t).subarray(run.dim * (1 + k), run.dim * (2 + k))),
  };
}
