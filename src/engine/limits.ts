// The engine's limits, in one place: what the core can serve, and what a request may ask for.
// A request past any of them is refused before any work, with a message that names the limit and what to change.
import type { EngineMemory } from '../shared/engineApi';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export const ENGINE_LIMITS = {
  /** Steps per run (the core counts steps in 32 bits). */
  maxSteps: 100_000_000,
  /** Parameters of an n-D built-in loss (lossParams.dim). Losses in the loss language have at most 128. */
  maxParams: 100_000,
  /** Newton's method and evaluate() hold dim x dim Hessians: 8 MB each at 1000 parameters. */
  maxHessianParams: 1000,
  /** Landscape grid points along each side (values and gradient field). */
  maxGridSide: 4096,
  /** The core's allocator serves blocks up to 1 GiB (AssemblyScript's TLSF); one run's recorded trace is one block. */
  maxBlockBytes: GiB - 64,
  /** The core's memory may grow to 3 GiB (core/asconfig.json maximumMemory), never to wasm32's 4 GiB. */
  maxWasmBytes: 3 * GiB,
  /** All recorded runs held at once (run sets, sessions, the request being served): traces, state and Newton matrices. */
  recordedBytes: 2 * GiB,
  /** Numbers trace() returns as JavaScript arrays (rows x (parameters + 1)); longer traces: recordEvery or streamRuns. */
  maxTraceValues: 10_000_000,
  /** Compiled losses kept for reuse (built-ins with their parameters, expressions, .loss texts), least recently used out first. */
  lossCache: { entries: 64, bytes: 64 * MiB },
  /** Compiled breakpoint conditions kept for reuse. */
  conditionCache: { entries: 256, bytes: 16 * MiB },
} as const;

/** A byte count as people read it: 1.5 GiB, 24 MiB, 512 KiB. */
export function formatBytes(bytes: number): string {
  const round = (value: number) => value.toFixed(2).replace(/\.?0+$/, '');
  if (bytes >= 1000 * MiB) return `${round(bytes / GiB)} GiB`;
  if (bytes >= MiB) return `${round(bytes / MiB)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** One log line of what the engine holds. */
export function describeEngineMemory(memory: EngineMemory): string {
  const { wasmBytes, recordedBytes, runSets, sessions, landscapeBytes, losses, conditions } = memory;
  const cache = (usage: EngineMemory['losses']) =>
    `${usage.entries} (${formatBytes(usage.bytes)}${usage.retained ? `, ${usage.retained} more in use by runs` : ''})`;
  return `engine memory: wasm ${formatBytes(wasmBytes)}; recorded runs ${formatBytes(recordedBytes)} in ${runSets} set${runSets === 1 ? '' : 's'} `
    + `(${sessions} session${sessions === 1 ? '' : 's'}); landscape ${formatBytes(landscapeBytes)}; compiled losses ${cache(losses)}; `
    + `conditions ${cache(conditions)}`;
}
