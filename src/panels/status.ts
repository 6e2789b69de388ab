// The status-bar item while the engine computes for a panel (no 'vscode' import: unit-tested with a fake item).

/** The part of a vscode.StatusBarItem this uses. */
export interface StatusItem {
  text: string;
  show(): void;
  hide(): void;
}

export class RunningStatus {
  private readonly running = new Map<number, number>();
  private nextId = 1;

  constructor(private readonly item: StatusItem) {}

  /** Counts `runs` runs as running until `work` settles; returns what it gives. */
  async track<T>(runs: number, work: Promise<T>): Promise<T> {
    const id = this.nextId++;
    this.running.set(id, runs);
    this.update();
    try {
      return await work;
    } finally {
      this.running.delete(id);
      this.update();
    }
  }

  get count(): number {
    let total = 0;
    for (const runs of this.running.values()) total += runs;
    return total;
  }

  private update(): void {
    if (this.running.size === 0) {
      this.item.hide();
      return;
    }
    const count = this.count;
    this.item.text = `$(sync~spin) Optiscope: running ${count} run${count === 1 ? '' : 's'}…`;
    this.item.show();
  }
}
