// Loss profiles along paths in parameter space (Engine.networkPath): the training loss (solid) and test loss (dashed)
// against t, one colour per path, a legend row per path and optional vertical marks (e.g. at t = 0 and t = 1). Shared
// by a lesson's path study (webview/lesson/pathChart.ts) and the Playground's loss along a line
// (webview/network/networkLinePanel.ts). Only maps the engine's numbers to pixels.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import type { Selection } from 'd3-selection';
import { line } from 'd3-shape';

const MARGIN = { top: 18, right: 12, bottom: 20, left: 40 };

export interface ProfileLine {
  /** The legend's text. */
  label: string;
  color: string;
  t: number[];
  train: number[];
  test?: number[];
}

export interface ProfileChartOptions {
  title: string;
  /** Vertical lines at these t, each labelled at its foot (right of the line, or left of the rightmost). */
  marks?: { t: number; label: string }[];
}

/** Draws the profiles into svg, width pixels wide (the height follows: half the width, at most 220). */
export function drawProfiles(svg: Selection<SVGSVGElement, unknown, null, undefined>, boxWidth: number, profiles: ProfileLine[], options: ProfileChartOptions): void {
  const width = Math.max(10, boxWidth - MARGIN.left - MARGIN.right);
  const height = Math.max(10, Math.min(boxWidth * 0.5, 220) - MARGIN.top - MARGIN.bottom);
  svg.attr('width', boxWidth).attr('height', height + MARGIN.top + MARGIN.bottom);
  svg.selectAll('*').remove();
  if (profiles.length === 0) return;
  let hi = 0;
  let tLo = Infinity;
  let tHi = -Infinity;
  for (const p of profiles) {
    for (const v of [...p.train, ...(p.test ?? [])]) if (Number.isFinite(v)) hi = Math.max(hi, v);
    for (const t of p.t) {
      tLo = Math.min(tLo, t);
      tHi = Math.max(tHi, t);
    }
  }
  const x = scaleLinear().domain(tLo < tHi ? [tLo, tHi] : [0, 1]).range([0, width]);
  // Headroom above the highest point for the legend, one row per path.
  const y = scaleLinear().domain([0, (hi > 0 ? hi : 1) * (1 + 0.12 * profiles.length)]).nice().range([height, 0]);
  svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 12).text(options.title);
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  plot.append('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${height})`).call(axisBottom(x).ticks(5));
  plot.append('g').attr('class', 'axis axis-y').call(axisLeft(y).ticks(4));
  const marks = plot.append('g').attr('class', 'path-marks');
  for (const mark of options.marks ?? []) {
    const at = x(mark.t);
    const right = at > width / 2;
    marks.append('line').attr('class', 'path-mark').attr('data-t', mark.t).attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', height);
    marks.append('text').attr('class', 'path-mark-label').attr('x', right ? at - 3 : at + 3).attr('y', height - 4).attr('text-anchor', right ? 'end' : 'start').text(mark.label);
  }
  const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
  const points = (t: number[], values: number[]) => t.map((ti, i) => [ti, values[i]] as [number, number]).filter(([, v]) => Number.isFinite(v));
  const lines = plot.append('g').attr('class', 'path-lines');
  profiles.forEach((p, i) => {
    lines.append('path').attr('class', 'path-train').attr('data-path', i).attr('fill', 'none').attr('stroke', p.color).attr('stroke-width', 2)
      .attr('d', path(points(p.t, p.train)));
    if (p.test) {
      lines.append('path').attr('class', 'path-test').attr('data-path', i).attr('fill', 'none').attr('stroke', p.color).attr('stroke-width', 1.2)
        .attr('stroke-dasharray', '4 3').attr('d', path(points(p.t, p.test)));
    }
  });
  const legend = svg.append('g').attr('class', 'path-legend').attr('transform', `translate(${MARGIN.left + 8},${MARGIN.top + 4})`);
  profiles.forEach((p, i) => {
    const row = legend.append('g').attr('transform', `translate(0,${14 * i})`);
    row.append('line').attr('x1', 0).attr('x2', 14).attr('y1', 5).attr('y2', 5).attr('stroke', p.color).attr('stroke-width', 2);
    row.append('text').attr('x', 18).attr('y', 9).text(p.label);
  });
}
