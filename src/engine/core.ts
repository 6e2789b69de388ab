// The WebAssembly core: instantiation, memory access, and linking of compiled custom losses.
import coreWasm from '../../dist/core.wasm';
import { formatBytes } from './limits';
import { LIMITS } from '../shared/limits';
import { DatasetId } from './layout';
import type { DataGenerator, FormulaData } from '../loss/datasets';

export interface CoreExports {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  alloc(bytes: number): number;
  free(ptr: number): void;
  lossCreate(kind: number, dim: number, c0: number, c1: number): number;
  lossCreateCustom(dim: number, valueFn: number, gradFn: number, hessFn: number, rowFn: number): number;
  lossCreateData(kind: number, count: number, seed: number, noise: number): number;
  lossCreateCustomData(dim: number, valueFn: number, gradFn: number, hessFn: number, count: number, columns: number, dataOffset: number): number;
  lossSamples(loss: number): number;
  lossSampleCount(loss: number): number;
  lossFree(loss: number): void;
  lossEvaluate(loss: number, x: number, g: number, h: number): number;
  runCreate(
    loss: number, optimizer: number, options: number, schedule: number, start: number, maxSteps: number,
    gradTol: number, bounds: number, recordState: number, recordEvery: number,
  ): number;
  runAdvance(run: number, steps: number): number;
  runAdvanceMany(runs: number, count: number, steps: number): void;
  runSetStochastic(run: number, batchSize: number, replacement: number, noise: number, seed: number): void;
  runSetProjection(run: number, box: number): void;
  runSetFrozen(run: number, mask: number): void;
  runSetBreakpoints(run: number, checkFn: number, count: number, modes: number, targets: number): void;
  runSetCustomOptimizer(run: number, stepFn: number, count: number, inits: number, hessian: number, scratchVectors: number, scalars: number, randomSeed: number): void;
  runResume(run: number): void;
  runPausedBy(run: number): number;
  runHits(run: number): number;
  runBreakpointsHeld(run: number): number;
  runRestoreBreakpoints(run: number, held: number, hits: number): void;
  runContextSize(dim: number): number;
  runFree(run: number): void;
  runStatus(run: number): number;
  runStep(run: number): number;
  runRows(run: number): number;
  runTrace(run: number): number;
  runStateTrace(run: number): number;
  runTraceWidth(dim: number): number;
  runRecordedRows(maxSteps: number, every: number): number;
  runStateWidth(dim: number): number;
  runLogEvaluations(run: number, limit: number): void;
  runEvaluations(run: number): number;
  runEvaluationCount(run: number): number;
  landscapeGrid(loss: number, x0: number, x1: number, y0: number, y1: number, nx: number, ny: number, out: number, point: number): void;
  landscapeMin(): number;
  landscapeMax(): number;
  landscapeGradient(
    loss: number, x0: number, x1: number, y0: number, y1: number, nx: number, ny: number, out: number, point: number, grad: number,
  ): void;
  lossCreateNetwork(
    layers: number, widths: number, activation: number, lossKind: number, batchnorm: number, residual: number, count: number, targets: number,
  ): number;
  networkInitialize(loss: number, scheme: number, scale: number, seed: number, out: number): void;
  // the batch norm lesson (core/assembly/bnNoise.ts, smoothness.ts)
  networkSetBnNoise(loss: number, scale: number, seed: number): void;
  lossGradientVariation(loss: number, x: number, etaMax: number, count: number, g0: number, point: number, g: number, out: number): number;
  runRunningStats(run: number): number;
  runRunningTrace(run: number): number;
  runRunningWidth(run: number): number;
  networkEvalLoss(loss: number, first: number, count: number, x: number, stats: number): number;
  networkEvalAccuracy(): number;
  networkPredict(loss: number, inputs: number, count: number, x: number, stats: number, out: number): void;
  runSetMuon(run: number, options: number): void;
  datasetGenerate(kind: number, count: number, seed: number, noise: number, a: number, b: number, out: number): void;
  datasetWidth(kind: number, b: number): number;
  datasetFormula(inputs: number, ranges: number, count: number, seed: number, fn: number, condition: number, out: number): void;
  lossSetTestSplit(loss: number, count: number): void;
  runSetMetrics(run: number, every: number): void;
  runMetrics(run: number): number;
  // per-step losses beside thinned rows (core/assembly/run.ts setStepLosses)
  runSetStepLosses(run: number): void;
  runStepLosses(run: number): number;
  runStepLossCount(run: number): number;
  // network paths (core/assembly/networkPaths.ts)
  networkCurveProfile(loss: number, a: number, b: number, c: number, n: number, out: number): void;
  bendCreate(loss: number, a: number, b: number, c: number, optimizer: number, options: number, seed: number): number;
  bendAdvance(trainer: number, steps: number): number;
  bendPoint(trainer: number): number;
  bendFree(trainer: number): void;
  networkPermute(loss: number, x: number, perms: number, out: number): void;
  linearAssignment(n: number, cost: number, out: number): number;
  networkMatchWeights(loss: number, a: number, b: number, perms: number, maxSweeps: number): number;
  networkLayerStats(loss: number, x: number, bins: number, out: number): number;
  [name: `math_${string}`]: (...args: number[]) => number;
  // network landscapes (core/assembly/networkLandscape.ts)
  netscapeDirection(loss: number, theta: number, seed: number, out: number): void;
  netscapeSliceRows(
    loss: number, theta: number, d1: number, d2: number, a0: number, da: number, nx: number, b0: number, db: number, rowFirst: number, rowCount: number,
    out: number, point: number,
  ): void;
  netscapeRandomSubspace(k: number, dim: number, seed: number, v: number): void;
  networkHessian(loss: number, x: number, step: number, out: number, v: number, col: number, point: number, gMinus: number): void;
  netscapeHessianRounds(loss: number, x: number, step: number, k: number, rounds: number, v: number, values: number, w: number, point: number, gMinus: number): number;
  netscapeCenterPath(rows: number, count: number, dim: number, center: number, mean: number): number;
  netscapePathRounds(rows: number, count: number, dim: number, k: number, rounds: number, v: number, values: number, w: number): number;
  netscapeProject(rows: number, count: number, dim: number, center: number, d1: number, d2: number, out: number): void;
  netscapeBallSharpness(loss: number, theta: number, radius: number, samples: number, seed: number, d: number, point: number): number;
  // edge-popup (edgePopup.ts)
  edgePopupMasked(dim: number, start: number, scores: number, layer: number, layers: number, keep: number, masked: number, scratch: number): number;
  edgePopupTrainStep(loss: number, start: number, scores: number, layer: number, layers: number, keep: number, lr: number, masked: number, g: number, scratch: number): number;
}

/**
 * Samples for a per-sample custom loss: count training rows, then testCount test rows, of columns, read by the compiled
 * code at f64 slot offset.
 */
export interface CustomLossData {
  columns: string[];
  values: ArrayLike<number>;
  count: number;
  testCount?: number;
  /** A generated or formula set: values are empty until the engine makes the rows in the core. */
  generator?: DataGenerator;
  formula?: FormulaData;
  offset: number;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Exports that return a pointer (a byte offset) or a handle (the pointer of a Loss or Run). Wasm hands i32 results
 * to JavaScript as signed numbers: past 2 GiB of memory they would come back negative, so they are read unsigned.
 */
const POINTER_RESULTS = ['alloc', 'lossCreate', 'lossCreateCustom', 'lossCreateData', 'lossCreateCustomData', 'lossSamples', 'runCreate', 'runHits', 'runTrace', 'runStateTrace', 'lossCreateNetwork', 'runRunningStats', 'runRunningTrace', 'runMetrics', 'runStepLosses', 'bendCreate', 'bendPoint'] as const;

function unsignedPointers(exports: CoreExports): CoreExports {
  const wrapped: Record<string, unknown> = { ...exports };
  for (const name of POINTER_RESULTS) {
    const fn = exports[name] as (...args: number[]) => number;
    wrapped[name] = (...args: number[]) => fn(...args) >>> 0;
  }
  return wrapped as unknown as CoreExports;
}

export class Core {
  /** Function table slots freed by unlink, reused by the next link. */
  private readonly freeSlots: number[] = [];

  private constructor(readonly exports: CoreExports) {}

  static async create(): Promise<Core> {
    compiled ??= WebAssembly.compile(coreWasm);
    const instance = await WebAssembly.instantiate(await compiled, {
      env: {
        abort: () => {
          throw new Error('The optimizer core stopped on an internal error');
        },
      },
    });
    return new Core(unsignedPointers(instance.exports as unknown as CoreExports));
  }

  /** Allocates bytes in the core (free with release). Refuses what the core's allocator cannot serve in one block. */
  alloc(bytes: number): number {
    if (!(bytes >= 0 && bytes <= LIMITS.maxBlockBytes)) {
      throw new Error(`The engine cannot hold ${formatBytes(bytes)} in one piece (at most ${formatBytes(LIMITS.maxBlockBytes)})`);
    }
    return this.exports.alloc(bytes);
  }

  /** A fresh view (memory may have grown since the last one). */
  f64(ptr: number, count: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, count);
  }

  /** Allocates count f64s, filled from values when given. Free with release(). */
  allocF64(count: number, values?: ArrayLike<number>): number {
    const ptr = this.alloc(Math.max(count, 1) * 8);
    const view = this.f64(ptr, count);
    if (values) view.set(values);
    else view.fill(0);
    return ptr;
  }

  release(...ptrs: number[]): void {
    for (const ptr of ptrs) if (ptr) this.exports.free(ptr);
  }

  /**
   * Links a compiled module (it imports env.memory and math.*) to this core and places the named
   * exports in the core's function table. Returns their table indices (-1 for a missing export).
   */
  async link(module: WebAssembly.Module | Uint8Array<ArrayBuffer>, exportNames: string[]): Promise<number[]> {
    const wasmModule = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(module);
    const math: Record<string, (...args: number[]) => number> = {};
    for (const { module: from, name } of WebAssembly.Module.imports(wasmModule)) {
      if (from !== 'math') continue;
      const fn = this.exports[`math_${name}`];
      if (typeof fn !== 'function') throw new Error(`A compiled module needs an unknown math function '${name}'`);
      math[name] = fn;
    }
    const instance = await WebAssembly.instantiate(wasmModule, { env: { memory: this.exports.memory }, math });
    const exported = instance.exports as Record<string, unknown>;
    const table = this.exports.table;
    return exportNames.map((name) => {
      const fn = exported[name];
      if (typeof fn !== 'function') return -1;
      const index = this.freeSlots.pop() ?? table.grow(1);
      table.set(index, fn);
      return index;
    });
  }

  /** Empties the table slots of linked functions (-1: none), so that their module can be collected; link reuses the slots. */
  unlink(indices: number[]): void {
    for (const index of indices) {
      if (index < 0) continue;
      this.exports.table.set(index, null);
      this.freeSlots.push(index);
    }
  }

  /**
   * Links a compiled custom loss (value, grad, hess and, for 2-D, row) and returns a loss handle. With data, the
   * loss is the mean of the compiled per-sample loss over the samples (see src/loss/README.md).
   */
  async linkCustomLoss(
    module: WebAssembly.Module | Uint8Array<ArrayBuffer>, dim: number, data?: CustomLossData,
  ): Promise<{ handle: number; functions: number[] }> {
    const functions = await this.link(module, ['value', 'grad', 'hess', 'row']);
    const [valueFn, gradFn, hessFn, rowFn] = functions;
    if (valueFn < 0 || gradFn < 0 || hessFn < 0) {
      this.unlink(functions);
      throw new Error('Compiled loss lacks value, grad or hess');
    }
    if (!data) return { handle: this.exports.lossCreateCustom(dim, valueFn, gradFn, hessFn, rowFn), functions };
    const total = data.count + (data.testCount ?? 0);
    const handle = this.exports.lossCreateCustomData(dim, valueFn, gradFn, hessFn, total, data.columns.length, data.offset);
    this.fillSamples(handle, data);
    return { handle, functions };
  }

  /** Writes a data-backed loss's samples (all rows, made with the loss) and makes its test split. */
  fillSamples(handle: number, data: Pick<CustomLossData, 'columns' | 'values' | 'count' | 'testCount'>): void {
    this.f64(this.exports.lossSamples(handle), (data.count + (data.testCount ?? 0)) * data.columns.length).set(data.values);
    if (data.testCount) this.exports.lossSetTestSplit(handle, data.testCount);
  }

  /** The rows of a generated set (count of them), made by the core from its seed. */
  generateDataset(generator: DataGenerator, count: number): Float64Array {
    const kind = DatasetId[generator.name];
    const width = this.exports.datasetWidth(kind, generator.inputs);
    const out = this.allocF64(count * width);
    try {
      this.exports.datasetGenerate(kind, count, generator.seed, generator.noise, generator.a, generator.inputs, out);
      return this.f64(out, count * width).slice();
    } finally {
      this.release(out);
    }
  }

  /** Frees a loss made by lossCreate* or linkCustomLoss (its functions too): no run may use it any more. */
  freeLoss(handle: number, functions: number[] = []): void {
    this.exports.lossFree(handle);
    this.unlink(functions);
  }
}
