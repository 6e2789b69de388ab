// The batch norm lesson's chart (the engine computes the study; this only maps its numbers to pixels): every run's
// training loss against steps, then Santurkar et al.'s loss variation and gradient change along the gradient at points
// of the small learning rate's paths, without and with batch norm. Log y scales: the values span decades.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { BatchnormStudyResult } from '../../src/shared/batchnorm';
import { runColor } from '../dom/theme';

const LEGEND_ROW = 14;
/** A legend entry's room: the longest label ("noisy BN 0.2, lr 0.1 (noise off)") at the chart's font size. */
const LEGEND_COLUMN = 230;

function legendColumns(width: number): number {
  return Math.max(1, Math.floor(width / LEGEND_COLUMN));
}

/** Room above the panels (and their titles) for the runs' legend. */
export function batchnormLegendHeight(width: number, runs: number): number {
  return Math.ceil(runs / legendColumns(width)) * LEGEND_ROW + 10;
}
const GAP = 48;
/** Values below this (a loss variation of exactly 0) are drawn at it on the log scales. */
const FLOOR = 1e-12;

type Plot = Selection<SVGGElement, unknown, null, undefined>;

interface Series {
  label: string;
  color: string;
  steps: number[];
  values: number[];
}

function panel(plot: Plot, left: number, width: number, height: number, title: string, series: Series[], name: string): void {
  const g = plot.append('g').attr('class', `study-${name}`).attr('transform', `translate(${left},0)`);
  g.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', -8).text(title);
  const finite = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v)).map((v) => Math.max(FLOOR, v));
  const last = Math.max(1, ...series.flatMap((s) => s.steps));
  const x = scaleLinear().domain([0, last]).range([0, width]);
  const lo = finite.length ? Math.min(...finite) : 1e-3;
  const hi = finite.length ? Math.max(...finite) : 1;
  const y = scaleLog().domain([lo, hi > lo ? hi : lo * 10]).nice().range([height, 0]).clamp(true);
  for (const s of series) {
    const points = s.values.flatMap((v, j): [number, number][] => (Number.isFinite(v) ? [[x(s.steps[j]), y(Math.max(FLOOR, v))]] : []));
    g.append('path').attr('class', 'study-line').attr('data-series', s.label).attr('d', line()(points) ?? '').attr('stroke', s.color);
  }
  g.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 70))));
  g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4, '~g'));
}

export function drawBatchnorm(plot: Plot, result: BatchnormStudyResult, width: number, height: number): void {
  const legend = plot.append('g').attr('class', 'study-legend').attr('transform', `translate(0,${-batchnormLegendHeight(width, result.labels.length)})`);
  const columns = legendColumns(width);
  result.labels.forEach((label, i) => {
    legend.append('text').attr('class', 'chart-title').attr('x', (i % columns) * LEGEND_COLUMN).attr('y', Math.floor(i / columns) * LEGEND_ROW)
      .attr('fill', runColor(i)).text(label);
  });
  const third = Math.max(10, (width - 2 * GAP) / 3);
  panel(plot, 0, third, height, 'training loss', result.labels.map((label, i) => ({
    label, color: runColor(i), steps: result.steps[i], values: result.losses[i],
  })), 'losses');
  // The smoothness's paths in the colours of their runs (no BN: run 0; BN: the first BN run).
  const colorOf = (label: string) => runColor(Math.max(0, result.labels.findIndex((l) => l.startsWith(`${label},`))));
  const smooth = result.smoothness;
  panel(plot, third + GAP, third, height, 'loss variation along −g', smooth.labels.map((label, i) => ({
    label, color: colorOf(label), steps: smooth.steps[i], values: smooth.points[i].map((p) => p.lossVariation),
  })), 'loss-variation');
  panel(plot, 2 * (third + GAP), third, height, 'gradient change along −g', smooth.labels.map((label, i) => ({
    label, color: colorOf(label), steps: smooth.steps[i], values: smooth.points[i].map((p) => p.gradientChange),
  })), 'gradient-change');
  plot.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', height + 30).attr('text-anchor', 'middle').text('step');
}
