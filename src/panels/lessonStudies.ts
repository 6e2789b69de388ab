// A lesson's study (src/shared/lessons.ts: the lottery ticket's rounds, Safran-Shamir's seeds) on the lesson's .loss
// text as edited, run by the engine worker (src/engine/lottery.ts). No 'vscode': unit-tested in node.
import type { CancelSignal } from '../shared/engineApi';
import { findLesson } from '../shared/lessons';
import { withWiderNetwork, type LotteryRequest, type LotteryResult, type SeedStudyRequest, type SeedStudyResult, type StudyData, type StudyProgress } from '../shared/studies';

/** The engine's study requests (the worker's client has them; src/engine/engineClient.ts). */
export interface StudyEngine {
  lottery(request: LotteryRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<LotteryResult>;
  seedStudy(request: SeedStudyRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<SeedStudyResult>;
}

export function hasStudies(engine: object): engine is StudyEngine {
  return typeof (engine as Partial<StudyEngine>).lottery === 'function' && typeof (engine as Partial<StudyEngine>).seedStudy === 'function';
}

/** Runs the lesson's study on loss (its .loss text); progress counts runs over the whole study. */
export async function lessonStudy(
  engine: StudyEngine, lessonId: string, loss: string, onProgress: (progress: StudyProgress) => void, cancel?: CancelSignal,
): Promise<StudyData> {
  const study = findLesson(lessonId)?.study;
  if (!study) throw new Error(`The lesson '${lessonId}' has no study`);
  if (study.kind === 'lottery') {
    const { kind, ...request } = study;
    return { kind, result: await engine.lottery({ ...request, loss }, onProgress, cancel) };
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
