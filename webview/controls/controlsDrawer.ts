// Shows or hides the Playground's controls column (a drawer over the plot in a narrow panel): a toggle in the
// toolbar that says what it will do, and a Close button in the drawer (which covers the toggle).
import { button } from '../dom/elements';

export class ControlsDrawer {
  /** The toolbar's toggle. */
  readonly toggle = button('', 'controls-toggle', () => this.show(!this.shown()), { title: 'The optimizers, steps, start, breakpoints and export' });
  private readonly close = button('Close', 'controls-close', () => this.show(false));

  /** `app`: the page (its data-controls attribute picks what the CSS shows); `controls`: the column. */
  constructor(
    private readonly app: HTMLElement,
    private readonly controls: HTMLElement,
  ) {
    controls.prepend(this.close);
    // The default depends on the panel's width (a drawer when narrow): the label follows it.
    new ResizeObserver(() => this.label()).observe(app);
  }

  /** Updates the toggle's label to what it will do. */
  label(): void {
    const shown = this.shown();
    const text = shown ? 'Hide controls' : 'Show controls';
    if (this.toggle.textContent !== text) this.toggle.textContent = text;
    this.toggle.setAttribute('aria-expanded', String(shown));
  }

  private show(shown: boolean): void {
    this.app.dataset.controls = shown ? 'shown' : 'hidden';
    this.label();
  }

  private shown(): boolean {
    return this.controls.isConnected && getComputedStyle(this.controls).display !== 'none';
  }
}
