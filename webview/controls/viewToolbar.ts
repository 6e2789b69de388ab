// The Playground's view toggles above the landscape: 2-D / 3-D, gradient field, step arrows, and a way to
// compare values of one hyper-parameter.
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { DisplayOptions } from '../../src/shared/protocol';

export interface ViewToolbarEvents {
  changed(display: DisplayOptions): void;
  compareValues(): void;
}

function button(text: string, className: string, title: string): VscodeButton {
  return Object.assign(document.createElement('vscode-button'), { className, textContent: text, title });
}

function checkbox(label: string, className: string, title: string): VscodeCheckbox {
  return Object.assign(document.createElement('vscode-checkbox'), { label, className, title });
}

export class ViewToolbar {
  readonly element = document.createElement('div');
  private readonly flat = button('2-D', 'view-2d', 'The landscape as a heatmap with contours');
  private readonly surface = button('3-D', 'view-3d', 'The landscape as a surface: drag to rotate, scroll to zoom');
  private readonly field = checkbox('Gradient field', 'gradient-field-toggle', 'Arrows of −∇f over the landscape, longer where it is steeper');
  private readonly arrows = checkbox('Step arrows', 'step-arrows-toggle', 'At the current step: −∇f (dashed, its direction) and the step the optimizer takes (solid; at least 10 px long)');
  /** What draws on a landscape (its modes and overlays): hidden for a network, which shows no landscape. */
  private readonly landscapeParts = Object.assign(document.createElement('span'), { className: 'view-landscape-parts' });
  private display: DisplayOptions;
  private surfaceAllowed = true;

  /** parts: Compare shows the overlay toggles only (its cells are 2-D; it has its own sweep form). */
  constructor(
    initial: DisplayOptions,
    private readonly events: ViewToolbarEvents,
    parts: { modes: boolean; compareValues: boolean } = { modes: true, compareValues: true },
  ) {
    this.display = { ...initial };
    this.element.className = 'view-toolbar';
    this.element.setAttribute('role', 'toolbar');
    const group = Object.assign(document.createElement('div'), { className: 'view-mode' });
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Landscape');
    group.append(this.flat, this.surface);
    this.flat.addEventListener('click', () => this.set({ landscape: '2d' }));
    this.surface.addEventListener('click', () => this.set({ landscape: '3d' }));
    this.field.addEventListener('change', () => this.set({ gradientField: this.field.checked }));
    this.arrows.addEventListener('change', () => this.set({ stepArrows: this.arrows.checked }));
    const sweep = button('Compare values…', 'compare-values', 'One landscape per value of an option (e.g. five learning rates), side by side');
    sweep.secondary = true;
    sweep.addEventListener('click', () => events.compareValues());
    const label = Object.assign(document.createElement('span'), { className: 'view-label', textContent: 'Landscape' });
    if (parts.modes) this.landscapeParts.append(label, group);
    this.landscapeParts.append(this.field, this.arrows);
    this.element.append(this.landscapeParts);
    if (parts.compareValues) this.element.append(sweep);
    this.render();
  }

  /** A 1-D loss has no surface: 3-D is offered only with two or more parameters. */
  allowSurface(allowed: boolean): void {
    this.surfaceAllowed = allowed;
    this.render();
  }

  /** Shows or hides the landscape's modes and overlays (a network has no landscape). */
  showLandscapeParts(shown: boolean): void {
    this.landscapeParts.hidden = !shown;
  }

  /** The display as shown: 2-D whenever 3-D is not allowed. */
  get effective(): DisplayOptions {
    return { ...this.display, landscape: this.surfaceAllowed ? this.display.landscape : '2d' };
  }

  private set(change: Partial<DisplayOptions>): void {
    this.display = { ...this.display, ...change };
    this.render();
    this.events.changed({ ...this.display });
  }

  private render(): void {
    const mode = this.effective.landscape;
    this.flat.secondary = mode !== '2d';
    this.surface.secondary = mode !== '3d';
    this.flat.setAttribute('aria-pressed', String(mode === '2d'));
    this.surface.setAttribute('aria-pressed', String(mode === '3d'));
    this.surface.disabled = !this.surfaceAllowed;
    this.field.checked = this.display.gradientField;
    this.arrows.checked = this.display.stepArrows;
    // The field is drawn on the 2-D landscape only; the step arrows on both.
    this.field.disabled = mode === '3d';
  }
}
