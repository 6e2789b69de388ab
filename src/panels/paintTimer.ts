// From a command to the webview's first paint: when it started, and what happened when, for the log.

export class PaintTimer {
  /** Marks as "what ms-after-start". */
  private readonly marks: string[] = [];

  /** start: when the command started (Date.now()). */
  constructor(private readonly start: number) {
    this.mark('panel');
  }

  /** Notes the first time something happened (later times of the same thing are not kept). */
  mark(what: string): void {
    if (!this.marks.some((mark) => mark.startsWith(`${what} `))) this.marks.push(`${what} ${Date.now() - this.start}`);
  }

  /** The log line once the page painted; the page's own clock is the machine's (when it started loading, when it painted). */
  painted(page: { pageStarted?: number; paintedAt?: number }): string {
    const marks = [...this.marks];
    if (page.pageStarted !== undefined) marks.push(`page loading ${page.pageStarted - this.start}`);
    if (page.paintedAt !== undefined) marks.push(`painted in the page ${page.paintedAt - this.start}`);
    const at = (mark: string) => Number(mark.slice(mark.lastIndexOf(' ') + 1));
    marks.sort((a, b) => at(a) - at(b));
    return `first paint ${Date.now() - this.start} ms after the command (ms after it: ${marks.join(', ')})`;
  }
}
