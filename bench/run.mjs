// npm run bench: the wasm core against its plain TypeScript twin (bench/twin.ts), as a table.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const twinFile = join(root, 'out', 'bench', 'twin.cjs');
await esbuild.build({ entryPoints: [join(root, 'bench', 'twin.ts')], outfile: twinFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const twin = require(twinFile);
const objectTwinFile = join(root, 'out', 'bench', 'objectNetwork.cjs');
await esbuild.build({ entryPoints: [join(root, 'bench', 'objectNetwork.ts')], outfile: objectTwinFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const objectTwin = require(objectTwinFile);
const { createEngine } = require(join(root, 'dist', 'engine.js'));
const engine = await createEngine();

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

/** Median wall time in ms of fn over REPEATS runs, after one warm-up; setup runs untimed before each. */
async function time(fn, setup = async () => undefined) {
  const samples = [];
  for (let i = 0; i <= REPEATS; i++) {
    const state = await setup();
    const start = performance.now();
    await fn(state);
    const elapsed = performance.now() - start;
    if (i > 0) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [];
async function compare(name, wasm, ts, aim) {
  const wasmMs = await time(wasm.run, wasm.setup);
  const tsMs = await time(ts.run, ts.setup);
  rows.push({ name, wasmMs, tsMs, ratio: tsMs / wasmMs, aim });
  console.error(`${name}: wasm ${wasmMs.toFixed(2)} ms, ts ${tsMs.toFixed(2)} ms`);
}

const N = 1024;
const gridOut = new Float64Array(N * N);
for (const [loss, x, y, aim, tsKernel] of [
  ['rosenbrock', [-2, 2], [-1, 3], 2, twin.rosenbrockGrid],
  ['ackley', [-5, 5], [-5, 5], 3, twin.ackleyGrid],
]) {
  await compare(`(a) ${N}x${N} landscape, ${loss}`,
    { run: () => engine.landscapeView({ loss, x, y, size: [N, N] }) },
    { run: () => tsKernel(x[0], x[1], y[0], y[1], N, N, gridOut) },
    aim);
}

const LONG = 10_000_000;
const longTrace = new Float64Array(4 * (LONG + 1));
await compare(`(b) ${LONG / 1e6} M steps of 2-D adam on rosenbrock, all recorded`,
  {
    setup: () => engine.startRuns({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 0.001 } }], steps: LONG }),
    run: (set) => {
      set.advance(LONG);
      set.dispose();
    },
  },
  { run: () => twin.adamRosenbrock2d([-1.5, 2], 0.001, LONG, longTrace) },
  1.2);

const STEPS = 10_000;
const lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
const starts = [[-1.5, 2], [-1, 1], [0, 2], [1.5, 2.5], [-2, -1], [2, -1], [0.5, 0], [-0.5, 2.5]];
const batchTrace = new Float64Array(4 * (STEPS + 1));
await compare(`(c) 64 runs (adam lr search: 8 rates x 8 starts) of ${STEPS / 1000} k steps`,
  {
    setup: () => engine.startRuns({
      loss: 'rosenbrock',
      runs: lrs.flatMap((lr) => starts.map((start) => ({ optimizer: 'adam', options: { lr }, start }))),
      steps: STEPS,
    }),
    run: (set) => {
      set.advance(STEPS);
      set.dispose();
    },
  },
  { run: () => { for (const lr of lrs) for (const start of starts) twin.adamRosenbrock2d(start, lr, STEPS, batchTrace); } },
  2);

const DIM = 1000;
const quadStart = Array.from({ length: DIM }, (_, i) => Math.sin(i + 1));
const weights = Float64Array.from({ length: DIM }, (_, i) => (i === 0 ? 1 : i === DIM - 1 ? 100 : 100 ** (i / (DIM - 1))));
const quadTrace = new Float64Array((DIM + 2) * (STEPS + 1));
await compare(`(d) ${STEPS / 1000} k steps of adam on a ${DIM}-D quadratic`,
  {
    setup: () => engine.startRuns({ loss: 'quadratic', lossParams: { dim: DIM, condition: 100 }, runs: [{ optimizer: 'adam', options: { lr: 0.01 }, start: quadStart }], steps: STEPS }),
    run: (set) => {
      set.advance(STEPS);
      set.dispose();
    },
  },
  { run: () => twin.adamQuadratic(Float64Array.from(quadStart), weights, 0.01, STEPS, quadTrace) },
  undefined);

// A 2-16-16-1 tanh MLP, MSE, Adam, on batches of 32 samples: the whole data set of 32 (one forward and backward
// per step, as a minibatch of 32 costs), every step recorded, against the flat Float64Array twin.
const MLP_WIDTHS = [2, 16, 16, 1];
const MLP_SAMPLES = 32;
const MLP_STEPS = 20_000;
const mlpData = Array.from({ length: MLP_SAMPLES }, (_, s) => {
  const x1 = Math.sin(1.3 * s);
  const x2 = Math.cos(0.7 * s);
  return [x1, x2, Math.sin(2 * x1) * x2];
});
const mlpLoss = `data x1, x2, y = [${mlpData.map((r) => r.join(', ')).join('; ')}]\nnetwork ${MLP_WIDTHS.join('-')} activation=tanh loss=mse seed=1`;
const mlpInfo = await engine.lossInfo(mlpLoss);
const mlpTrace = new Float64Array((mlpInfo.dim + 2) * (MLP_STEPS + 1));
await compare(`(e) ${MLP_STEPS / 1000} k steps of adam on a 2-16-16-1 tanh MLP (${mlpInfo.dim} parameters, MSE, batch ${MLP_SAMPLES})`,
  {
    setup: () => engine.startRuns({ loss: mlpLoss, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: MLP_STEPS }),
    run: (set) => {
      set.advance(MLP_STEPS);
      set.dispose();
    },
  },
  { run: () => twin.adamMlp(Float64Array.from(mlpData.flat()), MLP_SAMPLES, MLP_WIDTHS, Float64Array.from(mlpInfo.start), 0.01, MLP_STEPS, mlpTrace) },
  3);
const mlpRow = rows[rows.length - 1];
/** CPU milliseconds of fn (user + system): on a shared, loaded machine steadier than wall time. */
async function cpuMs(fn, setup = async () => undefined) {
  const state = await setup();
  const before = process.cpuUsage();
  await fn(state);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
// The same MLP as a graph of neuron and connection objects (bench/objectNetwork.ts); its losses must follow the flat
// twin's, or the comparison is void.
const objectTrace = new Float64Array(mlpTrace.length);
const objectMs = await time(() => objectTwin.adamObjectMlp(Float64Array.from(mlpData.flat()), MLP_SAMPLES, MLP_WIDTHS, Float64Array.from(mlpInfo.start), 0.01, MLP_STEPS, objectTrace));
// (Step 100: later, Adam's normalized steps let the two summation orders' rounding drift apart.)
const lossAt = (trace, step) => trace[step * (mlpInfo.dim + 2) + mlpInfo.dim];
if (Math.abs(lossAt(objectTrace, 100) - lossAt(mlpTrace, 100)) > 1e-9 * Math.abs(lossAt(mlpTrace, 100))) {
  throw new Error(`the object-style MLP twin's loss at step 100 is ${lossAt(objectTrace, 100)}, the flat twin's ${lossAt(mlpTrace, 100)}`);
}
rows.push({ name: `(e') the same, against an object-per-neuron twin`, wasmMs: mlpRow.wasmMs, tsMs: objectMs, ratio: objectMs / mlpRow.wasmMs, aim: 15 });
console.error(`(e') object-per-neuron twin ${objectMs.toFixed(2)} ms`);
const mlpCpu = {
  wasm: await cpuMs((set) => { set.advance(MLP_STEPS); set.dispose(); },
    () => engine.startRuns({ loss: mlpLoss, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: MLP_STEPS })),
  ts: await cpuMs(() => twin.adamMlp(Float64Array.from(mlpData.flat()), MLP_SAMPLES, MLP_WIDTHS, Float64Array.from(mlpInfo.start), 0.01, MLP_STEPS, mlpTrace)),
};
// (g) A 64x64 filter-normalized slice (Li et al. 2018) of a 2-16-16-3 tanh cross-entropy net over 500 spiral
// samples: 4096 forward passes over the data set, against the flat Float64Array twin given the same raw directions.
const SLICE_SIDE = 64;
const sliceLoss = 'data spiral arms=3 samples=500 noise=0.05 seed=1\nnetwork 2-16-16-3 activation=tanh loss=cross_entropy seed=1';
const sliceInfo = await engine.lossInfo(sliceLoss);
const sliceData = await engine.samples(sliceLoss);
const sliceRequest = { loss: sliceLoss, center: sliceInfo.start, directions: { kind: 'random', seed: 1 }, size: [SLICE_SIDE, SLICE_SIDE] };
const slice = await engine.networkLandscape(sliceRequest);
const sliceOut = new Float64Array(SLICE_SIDE * SLICE_SIDE);
const sliceTwin = () => twin.filterNormalizedSlice(sliceData, 500, [2, 16, 16, 3], Float64Array.from(sliceInfo.start), slice.directions[0],
  slice.directions[1], -1, 1, -1, 1, SLICE_SIDE, SLICE_SIDE, sliceOut);
sliceTwin();
const sliceGap = slice.values.reduce((worst, v, i) => Math.max(worst, Math.abs(v - sliceOut[i]) / Math.max(1, Math.abs(v))), 0);
await compare(`(g) ${SLICE_SIDE}x${SLICE_SIDE} filter-normalized slice of a 2-16-16-3 tanh net, 500 samples (aim: wasm < 1000 ms)`,
  { run: () => engine.networkLandscape(sliceRequest) }, { run: sliceTwin }, 1);
const sliceRow = rows[rows.length - 1];
const sliceCpu = { wasm: await cpuMs(() => engine.networkLandscape(sliceRequest)), ts: await cpuMs(sliceTwin) };
// Adam written in the optimizer language (examples/adam.optim) against the built-in adam: same steps, same
// results bit for bit (test/unit/optim-language.test.mjs); speed = built-in time / written time.
const writtenAdam = readFileSync(join(root, 'examples', 'adam.optim'), 'utf8');
const languageRows = [];
async function compareWritten(name, request, steps) {
  const timed = (optimizer) => time((set) => {
    set.advance(steps);
    set.dispose();
  }, () => engine.startRuns({ ...request, runs: request.runs.map((run) => ({ ...run, optimizer })) }));
  const builtinMs = await timed('adam');
  const writtenMs = await timed(writtenAdam);
  languageRows.push({ name, builtinMs, writtenMs });
  console.error(`${name}: built-in ${builtinMs.toFixed(2)} ms, written ${writtenMs.toFixed(2)} ms`);
}
await compareWritten(`1 M steps of 2-D adam on rosenbrock`, { loss: 'rosenbrock', runs: [{ options: { lr: 0.001 } }], steps: 1_000_000 }, 1_000_000);
await compareWritten(`${STEPS / 1000} k steps of adam on a ${DIM}-D quadratic`,
  { loss: 'quadratic', lossParams: { dim: DIM, condition: 100 }, runs: [{ options: { lr: 0.01 }, start: quadStart }], steps: STEPS }, STEPS);

// Every 2-D built-in's landscape against the same formula compiled from the loss language (its `expression` in
// the engine's loss info), both in wasm, on the built-in's default domain.
const landscapeRows = [];
const skipped = [];
for (const info of engine.losses()) {
  if (info.dim !== 2) continue;
  const { name, expression, domain: { x, y } } = info;
  if (!expression) {
    skipped.push(`${name}: no loss-language expression in its loss info`);
    continue;
  }
  try {
    await engine.landscapeView({ loss: expression, x, y, size: [8, 8] });
  } catch (error) {
    skipped.push(`${name}: its expression does not compile (${error.message})`);
    continue;
  }
  const builtinMs = await time(() => engine.landscapeView({ loss: name, x, y, size: [N, N] }));
  const compiledMs = await time(() => engine.landscapeView({ loss: expression, x, y, size: [N, N] }));
  landscapeRows.push({ name, builtinMs, compiledMs });
  console.error(`landscape ${name}: built-in ${builtinMs.toFixed(2)} ms, compiled ${compiledMs.toFixed(2)} ms`);
}

console.log(`\nOptiscope benchmark (Node ${process.version}, median of ${REPEATS}; ratio = TypeScript time / wasm time)\n`);
console.log('| kernel | wasm (ms) | TypeScript twin (ms) | ratio | aim |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.wasmMs.toFixed(2)} | ${r.tsMs.toFixed(2)} | ${r.ratio.toFixed(2)}x | ${r.aim ? `>= ${r.aim}x` : '-'} |`);
}

const perSecond = (ms) => Math.round(MLP_STEPS / (ms / 1000));
console.log(`\nMLP steps per second (e): wasm ${perSecond(mlpRow.wasmMs)}, flat TypeScript twin ${perSecond(mlpRow.tsMs)} (wall time, median); `
  + `by CPU time (one run each): wasm ${perSecond(mlpCpu.wasm)}, twin ${perSecond(mlpCpu.ts)}, ${(mlpCpu.ts / mlpCpu.wasm).toFixed(2)}x; `
  + `object-per-neuron twin ${perSecond(objectMs)} (wall time, median)`);
console.log(`\nNetwork slice (g): wasm ${sliceRow.wasmMs.toFixed(0)} ms for ${SLICE_SIDE * SLICE_SIDE} points (${(sliceRow.wasmMs * 1000 / (SLICE_SIDE * SLICE_SIDE)).toFixed(0)} us each; wall time, median); by CPU time (one run each): wasm ${sliceCpu.wasm.toFixed(0)} ms, twin ${sliceCpu.ts.toFixed(0)} ms, ${(sliceCpu.ts / sliceCpu.wasm).toFixed(2)}x; the twin's values agree to ${sliceGap.toExponential(1)} (relative).`);
console.log(`\nAdam written in the optimizer language against the built-in adam, median of ${REPEATS}\n`);
console.log('| run | built-in (ms) | written (ms) | written speed / built-in speed | aim |');
console.log('|---|---:|---:|---:|---:|');
for (const r of languageRows) {
  console.log(`| ${r.name} | ${r.builtinMs.toFixed(2)} | ${r.writtenMs.toFixed(2)} | ${(r.builtinMs / r.writtenMs).toFixed(2)} | >= 0.7 |`);
}

console.log(`\nBuilt-in losses against the same formula compiled from the loss language, ${N}x${N} landscape, median of ${REPEATS}\n`);
console.log('| loss | built-in (ms) | compiled formula (ms) | built-in speed / compiled speed | aim |');
console.log('|---|---:|---:|---:|---:|');
for (const r of landscapeRows) {
  console.log(`| ${r.name} | ${r.builtinMs.toFixed(2)} | ${r.compiledMs.toFixed(2)} | ${(r.compiledMs / r.builtinMs).toFixed(2)} | >= 1 |`);
}
for (const note of skipped) console.log(`Skipped ${note}.`);
