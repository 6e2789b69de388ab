// The initialization and skip-connection lessons' charts (the engine computes every number; these map them to pixels):
// per-layer activation and gradient std at init per scheme on log scales with the schemes' training curves, and the
// slices at the plain and the residual network's trained ends side by side (the Playground's landscape view), with
// their roughness and training curves.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { InitStudyResult, SkipStudyResult } from '../../src/shared/depthStudies';
import { create } from '../dom/elements';
import { runColor } from '../dom/theme';
import { LandscapeView } from '../landscape/landscapeView';

type Group = Selection<SVGGElement, unknown, null, undefined>;
type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

/** Stds below this (an exact 0 among them) are drawn on the bottom edge of the log scale. */
const STD_FLOOR = 1e-16;
const PANEL_HEIGHT = 120;
const ROW_GAP = 56;
const COLUMN_GAP = 48;
const MARGIN = { top: 40, left: 44 };

/** A log-scale line chart of several series in a panel, with a title and axes. */
function logLines(
  panel: Group, title: string, xs: number[][], ys: number[][], width: number, floor: number, xLabel: string, names: string[],
): void {
  const finite = ys.flat().filter((v) => Number.isFinite(v) && v > 0);
  const hi = Math.max(floor * 10, ...finite);
  const lo = Math.max(floor, Math.min(hi / 10, ...finite));
  const x = scaleLinear().domain([Math.min(...xs.flat()), Math.max(...xs.flat(), 1)]).range([0, width]);
  const y = scaleLog().domain([lo, hi]).nice().range([PANEL_HEIGHT, 0]).clamp(true);
  panel.append('text').attr('class', 'chart-title').attr('x', 0).attr('y', -8).text(title);
  ys.forEach((values, i) => {
    const points = values.map((v, k): [number, number] => [x(xs[i][k]), y(Number.isFinite(v) ? Math.max(v, lo) : hi)]);
    panel.append('path').attr('class', 'study-line').attr('data-series', names[i]).attr('fill', 'none').attr('stroke', runColor(i)).attr('stroke-width', 1.5)
      .attr('d', line()(points) ?? '');
  });
  panel.append('g').attr('class', 'axis').attr('transform', `translate(0,${PANEL_HEIGHT})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 60)), 'd'));
  panel.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4, '.0e'));
  panel.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', PANEL_HEIGHT + 28).attr('text-anchor', 'middle').text(xLabel);
}

/** A row of coloured series names. */
function legend(svg: Svg, names: string[]): void {
  const group = svg.append('g').attr('class', 'study-legend').attr('transform', `translate(${MARGIN.left},12)`);
  let x = 0;
  names.forEach((name, i) => {
    group.append('text').attr('x', x).attr('y', 0).attr('fill', runColor(i)).text(name);
    x += 12 + 6.5 * name.length;
  });
}

/** Draws the initialization study into svg (width wide); one row per activation (activations | gradients), then the curves. */
export function drawInitStudy(svg: Svg, result: InitStudyResult, width: number): void {
  const half = Math.max(60, (width - MARGIN.left - COLUMN_GAP - 16) / 2);
  const rows = result.panels.length + 1;
  svg.attr('width', width).attr('height', MARGIN.top + rows * (PANEL_HEIGHT + ROW_GAP));
  legend(svg, result.labels);
  result.panels.forEach((panel, row) => {
    const layers = panel.activationStd[0]?.map((_, l) => l + 1) ?? [];
    const xs = result.labels.map(() => layers);
    const top = MARGIN.top + row * (PANEL_HEIGHT + ROW_GAP);
    const left = svg.append('g').attr('class', `init-activations init-${panel.activation}`).attr('transform', `translate(${MARGIN.left},${top})`);
    logLines(left, `${panel.activation}: activation std at init`, xs, panel.activationStd, half, STD_FLOOR, 'layer (the last: outputs)', result.labels);
    const right = svg.append('g').attr('class', `init-gradients init-${panel.activation}`).attr('transform', `translate(${MARGIN.left + half + COLUMN_GAP},${top})`);
    logLines(right, `${panel.activation}: gradient std (d loss / d z)`, xs, panel.gradientStd, half, STD_FLOOR, 'layer', result.labels);
  });
  const top = MARGIN.top + result.panels.length * (PANEL_HEIGHT + ROW_GAP);
  const curves = svg.append('g').attr('class', 'init-curves').attr('transform', `translate(${MARGIN.left},${top})`);
  logLines(curves, `training loss from each initialization (${result.panels[0]?.activation ?? ''})`, result.steps, result.losses, 2 * half + COLUMN_GAP, 1e-12, 'step', result.labels);
}

/** The slices side by side, each with its roughness: the skip comparison's row, then the width row; curves go in the SVG. */
export class SkipLandscapes {
  readonly element = create('div', { className: 'skip-landscapes', hidden: true });
  private readonly rows = {
    skip: create('div', { className: 'skip-landscape-row skip-row' }),
    width: create('div', { className: 'skip-landscape-row width-row' }),
  };
  private readonly views: LandscapeView[] = [];

  constructor() {
    this.element.append(this.rows.skip, this.rows.width);
  }

  hide(): void {
    this.element.hidden = true;
  }

  show(result: SkipStudyResult): void {
    this.element.hidden = false;
    for (const row of Object.values(this.rows)) row.replaceChildren();
    result.slices.forEach((slice, i) => {
      const view = this.views[i] ?? this.addView();
      const caption = create('div', { className: 'skip-landscape-caption' });
      this.rows[slice.group].append(create('div', { className: 'skip-landscape' }, view.element, caption));
      view.setDimension(2);
      view.setHome({ x: slice.x, y: slice.y });
      view.setMarkers([], [0, 0]);
      view.setLandscape({ loss: slice.label, x: slice.x, y: slice.y, size: slice.size, values: Float64Array.from(slice.values), min: slice.min, max: slice.max });
      const { turns, minima } = slice.roughness;
      caption.textContent = `${slice.label}: loss ${slice.centerLoss.toPrecision(3)} at the centre; roughness ${turns.toFixed(2)} turns per grid line, ${minima} grid minima`;
      caption.dataset.turns = String(turns);
      caption.dataset.minima = String(minima);
      caption.dataset.group = slice.group;
    });
    this.rows.width.hidden = !result.slices.some((slice) => slice.group === 'width');
  }

  private addView(): LandscapeView {
    const view = new LandscapeView({ extentChanged: () => undefined, startChosen: () => undefined, describe: () => [] }, { zoomable: false });
    view.element.classList.add('skip-landscape-view');
    this.views.push(view);
    return view;
  }

  refreshTheme(): void {
    for (const view of this.views) view.refreshTheme();
  }
}

/** The networks' training curves (log scale) in the study chart's SVG. */
export function drawSkipCurves(svg: Svg, result: SkipStudyResult, width: number): void {
  const names = result.slices.map((s) => s.label);
  svg.attr('width', width).attr('height', MARGIN.top + PANEL_HEIGHT + ROW_GAP);
  legend(svg, names);
  const plot = svg.append('g').attr('class', 'skip-curves').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  logLines(plot, 'training loss', result.slices.map((s) => s.steps), result.slices.map((s) => s.losses), Math.max(60, width - MARGIN.left - 16), 1e-12, 'step', names);
}
