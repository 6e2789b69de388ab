// Breakpoints: compiled conditions checked after every step; hit conditions decide when a hit pauses.

export const MAX_BREAKPOINTS = 32;
export const HIT_ALWAYS: i32 = 0;
export const HIT_EQUAL: i32 = 1; // the n-th hit
export const HIT_AT_LEAST: i32 = 2; // from the n-th hit on
export const HIT_MULTIPLE: i32 = 3; // every n-th hit
export const HIT_DISABLED: i32 = 4; // counts nothing and never pauses (off, or not for this run)
/** Added to a mode: only steps where the condition becomes true count (it did not hold at the check before). */
export const HIT_ON_CHANGE: i32 = 8;

@unmanaged
export class Breakpoints {
  checkFn: i32; // table index of check(context) -> bitmask of the conditions that hold
  count: i32;
  modes: usize; // i32 per breakpoint
  targets: usize; // i32 per breakpoint
  hits: usize; // i32 per breakpoint
  context: usize; // f64s the condition reads (filled by the run)
  pausedBy: i32; // bitmask of the breakpoints that paused the run last
  held: i32; // bitmask of the conditions that held at the last check
}

@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

export function createBreakpoints(checkFn: i32, count: i32, modes: usize, targets: usize, contextSize: i32): Breakpoints {
  const b = changetype<Breakpoints>(heap.alloc(offsetof<Breakpoints>()));
  const bytes = <usize>count << 2;
  b.checkFn = checkFn;
  b.count = count;
  b.modes = heap.alloc(bytes);
  b.targets = heap.alloc(bytes);
  b.hits = heap.alloc(bytes);
  memory.copy(b.modes, modes, bytes);
  memory.copy(b.targets, targets, bytes);
  memory.fill(b.hits, 0, bytes);
  b.context = heap.alloc(<usize>contextSize << 3);
  b.pausedBy = 0;
  b.held = 0;
  return b;
}

export function freeBreakpoints(b: Breakpoints): void {
  heap.free(b.modes);
  heap.free(b.targets);
  heap.free(b.hits);
  heap.free(b.context);
  heap.free(changetype<usize>(b));
}

/** Runs the conditions on the filled context, counts hits, and returns the breakpoints that pause (a bitmask). */
export function checkBreakpoints(b: Breakpoints): i32 {
  const holds = call_indirect<i32>(<u32>b.checkFn, b.context);
  const rising = holds & ~b.held;
  b.held = holds;
  if (holds == 0) return 0;
  let pause = 0;
  for (let i = 0; i < b.count; i++) {
    const flags = i32At(b.modes, i);
    const counted = flags & HIT_ON_CHANGE ? rising : holds;
    const mode = flags & ~HIT_ON_CHANGE;
    if (!(counted & (1 << i)) || mode == HIT_DISABLED) continue;
    const hits = i32At(b.hits, i) + 1;
    store<i32>(b.hits + (<usize>i << 2), hits);
    const target = i32At(b.targets, i);
    const stops = mode == HIT_EQUAL ? hits == target
      : mode == HIT_AT_LEAST ? hits >= target
      : mode == HIT_MULTIPLE ? hits % target == 0
      : true;
    if (stops) pause |= 1 << i;
  }
  b.pausedBy = pause;
  return pause;
}
