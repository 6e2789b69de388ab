// How the engine's memory reads in messages and logs (the limits themselves are in src/shared/limits.ts).
import type { EngineMemory } from '../shared/engineApi';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

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
