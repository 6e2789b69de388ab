// A lesson's study (src/shared/lessons.ts: the lottery ticket's rounds and strong ticket, Safran-Shamir's seeds, batch norm's variants)
// on the lesson's .loss text as edited, run by the engine worker (src/engine/lottery.ts, batchnormStudy.ts). No
// 'vscode': unit-tested in node.
import { CancelledError, METRICS_WIDTH, type CancelSignal, type RunTrace } from '../shared/engineApi';
import type { Scenario } from '../shared/scenarioModel';
import { findLesson } from '../shared/lessons';
import { initStudy, skipStudy, type DepthStudyEngine } from '../engine/depthStudies';
import { strongTicket, type StrongTicketEngine } from '../engine/lottery';
import type { BatchnormStudyRequest, BatchnormStudyResult } from '../shared/batchnorm';
import { withWiderNetwork, type LotteryRequest, type LotteryResult, type SeedStudyRequest, type SeedStudyResult, type StudyData, type StudyProgress } from '../shared/studies';

/** The engine's study requests (the worker's client has them; src/engine/engineClient.ts). */
export interface StudyEngine extends DepthStudyEngine, StrongTicketEngine {
  lottery(request: LotteryRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<LotteryResult>;
  seedStudy(request: SeedStudyRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<SeedStudyResult>;
  batchnormStudy(request: BatchnormStudyRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<BatchnormStudyResult>;
}

export function hasStudies(engine: object): engine is StudyEngine {
  return typeof (engine as Partial<StudyEngine>).lottery === 'function' && typeof (engine as Partial<StudyEngine>).seedStudy === 'function';
}

function fail(message: string): never {
  throw new Error(message);
}

/** Each run's training and test error (1 - accuracy) at the steps where both were measured. */
function errorCurves(traces: RunTrace[]): Extract<StudyData, { kind: 'curves' }> {
  const curves: Extract<StudyData, { kind: 'curves' }> = { kind: 'curves', labels: [], steps: [], train: [], test: [] };
  for (const trace of traces) {
    const steps: number[] = [];
    const train: number[] = [];
    const test: number[] = [];
    for (let row = 0; row < trace.rowCount; row++) {
      const testAccuracy = trace.metrics?.[row * METRICS_WIDTH + 1] ?? Number.NaN;
      const trainAccuracy = trace.metrics?.[row * METRICS_WIDTH + 2] ?? Number.NaN;
      if (Number.isNaN(testAccuracy) || Number.isNaN(trainAccuracy)) continue;
      steps.push(Math.min(row * trace.recordEvery, trace.stoppedAt));
      train.push(1 - trainAccuracy);
      test.push(1 - testAccuracy);
    }
    curves.labels.push(trace.label);
    curves.steps.push(steps);
    curves.train.push(train);
    curves.test.push(test);
  }
  return curves;
}

/** Runs the lesson's study on its scenario (from its .loss text); progress counts runs over the whole study. */
export async function lessonStudy(
  engine: StudyEngine, lessonId: string, scenario: Pick<Scenario, 'loss' | 'lossParams' | 'runs' | 'steps'>, onProgress: (progress: StudyProgress) => void, cancel?: CancelSignal,
): Promise<StudyData> {
  const study = findLesson(lessonId)?.study;
  if (!study) throw new Error(`The lesson '${lessonId}' has no study`);
  const { loss } = scenario;
  if (study.kind === 'init' || study.kind === 'skip') {
    const run = scenario.runs[0] ?? fail('The study trains with the file\'s first optimizer line: add one');
    const common = { loss, run: { optimizer: run.optimizer, options: run.options }, steps: scenario.steps, every: study.every };
    return study.kind === 'init'
      ? { kind: 'init', result: await initStudy(engine, { ...common, inits: study.inits, alsoActivations: study.alsoActivations }, onProgress, cancel) }
      : { kind: 'skip', result: await skipStudy(engine, { ...common, size: study.size, seed: study.seed, widths: study.widths }, onProgress, cancel) };
  }
  if (study.kind === 'curves') {
    const traces = await engine.runs({ ...scenario, recordEvery: study.every, metricsEvery: study.every }, cancel);
    onProgress({ done: traces.length, total: traces.length });
    return errorCurves(traces);
  }
  if (study.kind === 'batchnorm') {
    const { kind, ...request } = study;
    return { kind, result: await engine.batchnormStudy({ ...request, loss }, onProgress, cancel) };
  }
  if (study.kind === 'lottery') {
    const { kind, strong, ...request } = study;
    // Progress in runs: the rounds' two each, then the strong ticket's edge-popup and its dense run.
    const rounds = 2 * (request.rounds + 1);
    const total = rounds + (strong ? 2 : 0);
    const result = await engine.lottery({ ...request, loss }, (p) => onProgress({ done: p.done, total }), cancel);
    if (!strong) return { kind, result };
    let done = rounds;
    try {
      const part = await strongTicket(engine, { ...strong, loss }, (p) => {
        // Edge-popup's updates count as one run (reported when all are done), the dense run as another.
        const runs = rounds + Math.floor((2 * p.done) / p.total);
        if (runs > done) onProgress({ done: (done = runs), total });
      }, cancel);
      return { kind, result, strong: part };
    } catch (error) {
      // The rounds stand on their own: a network the fixed data line does not fit (say 3 inputs) loses only this part.
      if (error instanceof CancelledError || cancel?.isCancellationRequested) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return { kind, result, strongError: `it trains the file's network, widened, on '${strong.data}': ${reason}` };
    }
  }
  const { kind, factors, ...request } = study;
  const losses: number[][] = [];
  const total = factors.length * request.seeds.length;
  for (const factor of factors) {
    const before = losses.length * request.seeds.length;
    const result = await engine.seedStudy({ ...request, loss: withWiderNetwork(loss, factor) }, (p) => onProgress({ done: before + p.done, total }), cancel);
    losses.push(result.losses);
  }
  return { kind, factors, losses };
}
