// Which network outputs to ask the host for (pure): per run at most one request in flight; a row wanted meanwhile
// waits, and only the newest one is asked next, so playback never queues requests.

/** One run's requests: the row shown, the row asked for, and the newest row wanted while one is in flight. */
interface RunRequests {
  shown?: number;
  asked?: number;
  wanted?: number;
  /** New traces came while a request was in flight: its answer is shown, then the row is asked again. */
  stale?: boolean;
}

export class OutputRequests<T> {
  private runs: RunRequests[] = [];

  constructor(
    private readonly ask: (run: number, row: number) => Promise<T>,
    private readonly show: (run: number, row: number, value: T) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  /** Another loss: answers still coming are dropped. */
  clear(): void {
    this.runs = [];
  }

  /** New traces for count runs (the same runs streaming in, or changed ones): every row is asked again. */
  tracesChanged(count: number): void {
    this.runs = Array.from({ length: count }, (_, i) => {
      const requests = this.runs[i] ?? {};
      requests.shown = undefined;
      if (requests.asked !== undefined) requests.stale = true;
      return requests;
    });
  }

  /** Run i should show row: asked now, or once the request in flight is answered (unless a newer row is wanted by then). */
  want(i: number, row: number): void {
    const requests = this.runs[i];
    if (!requests || requests.shown === row || requests.asked === row) return;
    if (requests.asked !== undefined) {
      requests.wanted = row;
      return;
    }
    requests.asked = row;
    this.ask(i, row).then(
      (value) => {
        if (this.runs[i] !== requests) return;
        if (!requests.stale) requests.shown = row;
        this.show(i, row, value);
      },
      (error: unknown) => {
        if (this.runs[i] !== requests) return;
        requests.shown = row; // not asked again until the step or the runs change
        this.fail(error);
      },
    ).finally(() => {
      if (this.runs[i] !== requests) return;
      requests.asked = undefined;
      requests.stale = false;
      const wanted = requests.wanted ?? (requests.shown === undefined ? row : undefined);
      requests.wanted = undefined;
      if (wanted !== undefined) this.want(i, wanted);
    });
  }
}
