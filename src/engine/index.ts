// Headless entry (dist/engine.js): createEngine() for scripts, CI, the CLI and the worker.
import { Core } from './core';
import { WasmEngine } from './engine';
import { compileExpression } from './expressions';
import { compileConditions } from '../loss/conditions';
import { compileCustomOptimizer } from './customOptimizers';

export type * from '../shared/engineApi';
export { WasmEngine, RunSet, trajectoryRows } from './engine';

export async function createEngine(): Promise<WasmEngine> {
  return new WasmEngine(await Core.create(), compileExpression, compileConditions, compileCustomOptimizer);
}
// Studies (lottery ticket, strong ticket, seeds): sequences of runs on an engine.
export { lotteryTicket, seedStudy, strongTicket } from './lottery';
// Initialization and skip-connection studies (issue 18's lessons 1 and 7).
export { initStudy, skipStudy, sliceRoughness } from './depthStudies';
export { batchnormStudy } from './batchnormStudy';
