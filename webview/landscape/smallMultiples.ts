// Compare's small multiples: one landscape cell per run, each with its caption, laid out in as many columns as draw
// each landscape largest; the captions are as tall as the tallest, so the landscapes stay aligned.
import type { DisplayOptions } from '../../src/shared/protocol';
import { create } from '../dom/elements';
import type { Hit } from '../runs/traces';
import { bestColumns, rowsFit, type Extent } from './geometry';
import { LandscapeView, PLOT_MARGIN } from './landscapeView';
import { gradientFieldOverlay, stepArrowsOverlay } from './vectorOverlays';

/** A caption's one line (pixels). */
const MIN_CAPTION_HEIGHT = 16;
/** Narrower cells would squeeze their captions (pixels). */
const MIN_CELL_WIDTH = 200;
/** A cell's landscape is never squashed below this (pixels): fewer columns, or the cells scroll. */
const MIN_LANDSCAPE_HEIGHT = 120;

export interface CellEvents {
  /** The first cell's extent changed: the landscape all cells share is asked for. */
  extentChanged(extent: Extent, pixels: [number, number]): void;
  startChosen(point: [number, number]): void;
  /** Lines beside a hovered row of cell `index`'s run. */
  describe(index: number, hit: Hit): string[];
  /** The overlays to draw. */
  display(): DisplayOptions;
}

/** The height the cells may take: with the table and charts below them, or alone (the page then scrolls). */
export interface CellSpace {
  withBottom: number;
  alone: number;
}

export class SmallMultiples {
  readonly element = create('div', { className: 'multiples' });
  views: LandscapeView[] = [];
  private captions: HTMLElement[] = [];
  private captionHeight = MIN_CAPTION_HEIGHT;

  constructor(private readonly events: CellEvents) {}

  /** One cell per run; the first one's extent decides the shared landscape. */
  build(count: number): void {
    this.views = [];
    this.captions = [];
    const cells = Array.from({ length: count }, (_, index) => {
      const view = new LandscapeView(
        {
          extentChanged: (extent, pixels) => {
            if (index === 0) this.events.extentChanged(extent, pixels);
          },
          startChosen: (point) => this.events.startChosen(point),
          describe: (hit) => this.events.describe(index, hit),
        },
        { zoomable: false },
      );
      view.addOverlay(gradientFieldOverlay(() => this.events.display().gradientField), 'trajectories');
      view.addOverlay(stepArrowsOverlay(() => this.events.display().stepArrows), 'markers');
      this.views.push(view);
      const caption = create('div', { className: 'cell-caption' });
      this.captions.push(caption);
      return create('div', { className: 'cell' }, caption, view.element);
    });
    this.element.replaceChildren(...cells);
  }

  /** The captions' contents (swatch, name, status of each run), aligned. */
  setCaptions(parts: (index: number) => HTMLElement[]): void {
    this.captions.forEach((caption, i) => caption.replaceChildren(...parts(i)));
    this.alignCaptions();
  }

  /** The captions as Export draws them. */
  captionElements(): HTMLElement[] {
    return [...this.element.querySelectorAll<HTMLElement>('.cell-caption')];
  }

  /**
   * As many columns as draw each landscape largest in `space` (2-D, `aspect` = width / height of the extent); when
   * the cells would be shorter than MIN_LANDSCAPE_HEIGHT with the table and charts, they take the whole space and
   * the page scrolls (the table and charts below the fold).
   */
  layout(space: CellSpace, aspect: number, twoD: boolean): void {
    const count = this.views.length;
    const width = this.element.clientWidth;
    const chrome = {
      gap: parseFloat(getComputedStyle(this.element).columnGap) || 0,
      x: PLOT_MARGIN.left + PLOT_MARGIN.right,
      y: this.captionHeight + PLOT_MARGIN.top + PLOT_MARGIN.bottom,
      minWidth: MIN_CELL_WIDTH,
      minHeight: this.captionHeight + MIN_LANDSCAPE_HEIGHT,
    };
    const grid = twoD && aspect > 0 && Number.isFinite(aspect) && width > 0;
    const columnsFor = (height: number) => (grid ? bestColumns(count, width, height, aspect, chrome) : Math.min(count, count <= 4 ? count : Math.ceil(count / 2)));
    let columns = columnsFor(space.withBottom);
    const fits = rowsFit(count, columns, space.withBottom, chrome);
    if (!fits) columns = columnsFor(space.alone);
    document.body.classList.toggle('compare-scrolls', !fits);
    const height = `${Math.floor(Math.max(fits ? space.withBottom : space.alone, chrome.minHeight))}px`;
    this.setStyle('--columns', String(columns));
    this.setStyle('--multiples-height', height);
    this.alignCaptions();
  }

  /** Every caption as tall as the tallest. */
  private alignCaptions(): void {
    this.element.style.removeProperty('--caption-height');
    this.captionHeight = Math.max(MIN_CAPTION_HEIGHT, ...this.captions.map((caption) => caption.scrollHeight));
    this.element.style.setProperty('--caption-height', `${this.captionHeight}px`);
    this.element.style.setProperty('--min-cell-height', `${this.captionHeight + MIN_LANDSCAPE_HEIGHT}px`);
  }

  /** Written only when changed: a style change lays the page out again. */
  private setStyle(name: string, value: string): void {
    if (this.element.style.getPropertyValue(name) !== value) this.element.style.setProperty(name, value);
  }
}
