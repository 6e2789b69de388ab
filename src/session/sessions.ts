// The training sessions of this window: the panel and the debugger find the same one here.
import { Emitter } from './emitter';
import type { TrainingSession } from './trainingSession';

class TrainingSessions {
  private current: TrainingSession | undefined;
  private readonly startEmitter = new Emitter<TrainingSession>();
  private readonly endEmitter = new Emitter<TrainingSession>();
  /** A session became the active one (from the panel or the debugger). */
  readonly onDidStart = this.startEmitter.event;
  /** A session was disposed. */
  readonly onDidEnd = this.endEmitter.event;

  /** The newest session that has not ended. */
  get active(): TrainingSession | undefined {
    return this.current;
  }

  /** Makes the session the active one until it is disposed. */
  add(session: TrainingSession): void {
    this.current = session;
    session.onDidDispose(() => {
      if (this.current === session) this.current = undefined;
      this.endEmitter.fire(session);
    });
    this.startEmitter.fire(session);
  }
}

export const trainingSessions = new TrainingSessions();
