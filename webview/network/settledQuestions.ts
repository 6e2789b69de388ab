// A network panel's questions to the engine worker about the runs (their landscape, the loss along a line): asked once
// the runs have stopped streaming and the changes (runs, step, a choice) have settled; only the latest answer is used.
import type { TraceData } from '../../src/shared/protocol';

/** Waits this long after the last change before asking, so that scrubbing or a burst of changes asks once. */
const ASK_DELAY_MS = 250;

export class SettledQuestions {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  /** Replaces a pending question; asks ask(id) ASK_DELAY_MS from now when asking and every run has stopped. */
  schedule(asking: boolean, traces: TraceData[], ask: (id: number) => Promise<void>): void {
    clearTimeout(this.timer);
    if (!asking || traces.length === 0 || traces.some((t) => t.status === 'running')) return;
    this.timer = setTimeout(() => void ask(++this.asked), ASK_DELAY_MS);
  }

  /** Whether id is the latest question asked (an older one's answer is dropped). */
  isLatest(id: number): boolean {
    return id === this.asked;
  }

  /** Drops the answers to every question asked so far (the loss changed). */
  dropAnswers(): void {
    this.asked++;
  }
}
