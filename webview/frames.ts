// Drawing at most once per animation frame.

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
