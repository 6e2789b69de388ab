// Where long engine work lets a cancel in: a worker handles the cancel message only between macrotasks, so a loop of
// in-process requests (each resolving in microtasks) must yield to the event loop before it checks its signal.
import { CancelledError, type CancelSignal } from '../shared/engineApi';

/** Lets timers and messages (a cancel) in before the next chunk or run. */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Yields to the event loop, then throws CancelledError if the signal was cancelled meanwhile. */
export async function stopIfCancelled(signal: CancelSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  if (signal?.isCancellationRequested) throw new CancelledError();
}
