// Drawing at most once per animation frame, and work that waits for a frame to be on screen.

/** A function that keeps only the newest value it is given and hands it to `draw` at the next animation frame. */
export function newestPerFrame<T>(draw: (value: T) => void): (value: T) => void {
  let pending: { value: T } | undefined;
  return (value) => {
    if (!pending) {
      requestAnimationFrame(() => {
        const newest = pending!.value;
        pending = undefined;
        draw(newest);
      });
    }
    pending = { value };
  };
}

/** Calls back once the next frame is produced (after its paint, not before it as requestAnimationFrame does). */
export function afterNextFrame(callback: () => void): void {
  requestAnimationFrame(() => setTimeout(callback, 0));
}
