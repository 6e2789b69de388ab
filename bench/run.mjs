// npm run bench: the wasm core against its plain TypeScript twin (bench/twin.ts), as a table.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const twinFile = join(root, 'out', 'bench', 'twin.cjs');
await esbuild.build({ entryPoints: [join(root, 'bench', 'twin.ts')], outfile: twinFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const twin = require(twinFile);
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

// Custom losses (compiled from the loss language) against the same built-in, both in wasm.
const customRows = [];
for (const [loss, expression, x, y] of [
  ['rosenbrock', '(1 - x)^2 + 100*(y - x^2)^2', [-2, 2], [-1, 3]],
  ['ackley', '-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20', [-5, 5], [-5, 5]],
  ['beale', '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2', [-4.5, 4.5], [-4.5, 4.5]],
]) {
  const builtinMs = await time(() => engine.landscapeView({ loss, x, y, size: [N, N] }));
  const customMs = await time(() => engine.landscapeView({ loss: expression, x, y, size: [N, N] }));
  customRows.push({ loss, builtinMs, customMs });
}

console.log(`\nOptiscope benchmark (Node ${process.version}, median of ${REPEATS}; ratio = TypeScript time / wasm time)\n`);
console.log('| kernel | wasm (ms) | TypeScript twin (ms) | ratio | aim |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.wasmMs.toFixed(2)} | ${r.tsMs.toFixed(2)} | ${r.ratio.toFixed(2)}x | ${r.aim ? `>= ${r.aim}x` : '-'} |`);
}

console.log(`\nCustom losses (loss language, compiled to wasm) against the same built-in, ${N}x${N} landscape\n`);
console.log('| loss | built-in (ms) | custom (ms) | custom speed / built-in speed | aim |');
console.log('|---|---:|---:|---:|---:|');
for (const r of customRows) {
  console.log(`| ${r.loss} | ${r.builtinMs.toFixed(2)} | ${r.customMs.toFixed(2)} | ${(r.builtinMs / r.customMs).toFixed(2)} | >= 0.5 |`);
}
