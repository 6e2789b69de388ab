// A lesson study's chart (the engine computes the study; this only maps its numbers to pixels): the lottery ticket's
// test accuracy against the fraction of weights left, ticket vs random re-initialization (Frankle & Carbin's figure),
// and the strong ticket's losses (strongTicketChart.ts),
// the histogram of final losses from many seeds per network width (Safran & Shamir), or the runs' training and test
// error side by side (Wilson et al.), or the batch norm lesson's curves and smoothness (batchnormChart.ts).
import { axisBottom, axisLeft } from 'd3-axis';
import { bin } from 'd3-array';
import { scaleLinear, scaleLog } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { line } from 'd3-shape';
import type { StudyData, StudyProgress } from '../../src/shared/studies';
import { runColor } from '../dom/theme';
import { create } from '../dom/elements';
import { drawInitStudy, drawSkipCurves, SkipLandscapes } from './depthCharts';
import { batchnormLegendHeight, drawBatchnorm } from './batchnormChart';
import { NetworkDiagram } from '../network/networkDiagram';
import { StrongTicketChart } from './strongTicketChart';

// Room on the right for the last tick's label (e.g. "12.5%"), centred on the edge.
const MARGIN = { top: 22, right: 30, bottom: 34, left: 44 };
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Final losses below this are drawn in the first bin (log scale). */
const LOSS_FLOOR = 1e-8;

export class StudyChart {
  readonly element = create('div', { className: 'study-chart', hidden: true });
  private readonly status = create('div', { className: 'study-status' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  /** The skip-connection lesson's two slices (over its curves). */
  private readonly landscapes = new SkipLandscapes();
  /** The lottery ticket's last mask on the network (under its chart). */
  private readonly ticket = new NetworkDiagram();
  /** The mask's caption, in HTML so that it wraps at any width (an SVG title would be cut off). */
  private readonly ticketCaption = create('div', { className: 'study-status study-ticket-caption', hidden: true });
  /** The lottery lesson's strong ticket (edge-popup), under the mask. */
  private readonly strong = new StrongTicketChart();
  private data: StudyData | undefined;

  constructor() {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.ticket.element.classList.add('study-ticket');
    this.ticket.element.hidden = true;
    this.element.append(this.status, this.landscapes.element, svgElement, this.ticketCaption, this.ticket.element, this.strong.element);
    this.svg = select(svgElement);
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  hide(): void {
    this.element.hidden = true;
    this.data = undefined;
    this.landscapes.hide();
    this.ticket.element.hidden = true;
    this.ticketCaption.hidden = true;
    this.strong.show(undefined);
  }

  refreshTheme(): void {
    this.landscapes.refreshTheme();
  }

  progress({ done, total }: StudyProgress): void {
    this.element.hidden = false;
    this.status.textContent = `The study runs in the engine: ${done} of ${total} training runs`;
  }

  failed(message: string): void {
    this.element.hidden = false;
    this.status.textContent = `The study failed: ${message}`;
  }

  show(data: StudyData): void {
    this.data = data;
    this.element.hidden = false;
    this.status.textContent = data.kind === 'lottery'
      ? `Test ${data.result.metric} against the weights left: ticket (reset to its initialization) and random re-initialization`
      : data.kind === 'seeds' ? `Final training losses from ${data.losses[0]?.length ?? 0} seeds, per network width`
        : data.kind === 'init' ? 'Per-layer std at initialization (log scale; 0 drawn on the bottom edge) and the training loss from each scheme'
          : data.kind === 'skip' ? `Filter-normalized random slices (seed ${data.result.seed}) at each trained network, and the training loss`
            : data.kind === 'batchnorm' ? 'With and without batch norm: training loss, and the loss and gradient along the gradient direction (Santurkar et al.)'
              : `Training and test error against steps: ${data.labels.join(', ')}`;
    if (data.kind === 'skip') this.landscapes.show(data.result);
    else this.landscapes.hide();
    this.ticket.element.hidden = data.kind !== 'lottery';
    this.ticketCaption.hidden = data.kind !== 'lottery';
    if (data.kind === 'lottery') {
      const { network, ticket, mask, rounds } = data.result;
      this.ticket.setNetwork(network.widths, network.batchnorm);
      const left = rounds.at(-1)?.remaining ?? 1;
      this.ticket.setParams(ticket, '', mask);
      this.ticketCaption.textContent = `The ticket's mask at ${+(100 * left).toFixed(1)}% of the weights: kept edges by their trained weight, pruned dashed`;
    }
    this.strong.show(data.kind === 'lottery' ? data.strong : undefined, data.kind === 'lottery' ? data.strongError : undefined);
    this.draw();
  }

  private draw(): void {
    const data = this.data;
    this.svg.selectAll('*').remove();
    if (!data) return;
    const box = this.element.getBoundingClientRect();
    this.strong.draw(box.width - 16);
    if (data.kind === 'init') return drawInitStudy(this.svg, data.result, Math.max(200, box.width - 16));
    if (data.kind === 'skip') return drawSkipCurves(this.svg, data.result, Math.max(200, box.width - 16));
    const width = Math.max(10, box.width - MARGIN.left - MARGIN.right);
    const height = 140;
    const top = MARGIN.top + (data.kind === 'batchnorm' ? batchnormLegendHeight(width, data.result.labels.length) : 0);
    this.svg.attr('width', width + MARGIN.left + MARGIN.right).attr('height', height + top + MARGIN.bottom);
    const plot = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${top})`);
    if (data.kind === 'lottery') this.drawLottery(plot, data.result, width, height);
    else if (data.kind === 'seeds') this.drawHistogram(plot, data, width, height);
    else if (data.kind === 'batchnorm') drawBatchnorm(plot, data.result, width, height);
    else this.drawCurves(plot, data, width, height);
  }

  /** Training error and test error side by side, one line per run, on one y scale. */
  private drawCurves(plot: Selection<SVGGElement, unknown, null, undefined>, data: Extract<StudyData, { kind: 'curves' }>, width: number, height: number): void {
    const gap = 44;
    const half = Math.max(10, (width - gap) / 2);
    const last = Math.max(1, ...data.steps.flat());
    const x = scaleLinear().domain([0, last]).range([0, half]);
    const y = scaleLinear().domain([0, Math.max(0.01, ...[...data.train.flat(), ...data.test.flat()].filter(Number.isFinite))]).nice().range([height, 0]);
    (['train', 'test'] as const).forEach((which, k) => {
      const panel = plot.append('g').attr('class', `study-curves-${which}`).attr('transform', `translate(${k * (half + gap)},0)`);
      panel.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', -8).text(which === 'train' ? 'training error' : 'test error');
      data[which].forEach((values, i) => {
        const points = values.map((v, j): [number, number] => [x(data.steps[i][j]), y(v)]);
        panel.append('path').attr('class', 'study-line').attr('data-series', data.labels[i]).attr('d', line()(points) ?? '').attr('stroke', runColor(i));
      });
      panel.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(half / 70))));
      panel.append('g').attr('class', 'axis').call(axisLeft(y).ticks(5, '~g'));
    });
    plot.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', height + 30).attr('text-anchor', 'middle').text('step');
  }

  private drawLottery(plot: Selection<SVGGElement, unknown, null, undefined>, result: Extract<StudyData, { kind: 'lottery' }>['result'], width: number, height: number): void {
    const rounds = result.rounds;
    const remaining = rounds.map((r) => 100 * r.remaining);
    const x = scaleLog().domain([Math.max(...remaining), Math.min(...remaining)]).range([0, width]);
    const values = rounds.flatMap((r) => [r.ticket, r.random]).filter(Number.isFinite);
    const y = scaleLinear().domain([Math.min(...values), Math.max(...values)]).nice().range([height, 0]);
    const series = [
      { name: 'ticket', values: rounds.map((r) => r.ticket) },
      { name: 'random re-init', values: rounds.map((r) => r.random) },
    ];
    series.forEach(({ name, values: ys }, i) => {
      const points = ys.map((v, k): [number, number] => [x(remaining[k]), y(v)]);
      plot.append('path').attr('class', 'study-line').attr('data-series', name).attr('d', line()(points) ?? '').attr('stroke', runColor(i));
      plot.append('g').selectAll('circle').data(points).join('circle').attr('class', 'study-point').attr('r', 3)
        .attr('cx', (p) => p[0]).attr('cy', (p) => p[1]).attr('fill', runColor(i));
      plot.append('text').attr('class', 'chart-title').attr('x', 8 + i * 90).attr('y', -8).attr('fill', runColor(i)).text(name);
    });
    plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`)
      .call(axisBottom(x).tickValues(remaining).tickFormat((v) => `${Number(v).toPrecision(3)}%`));
    plot.append('g').attr('class', 'axis').call(axisLeft(y).ticks(5, '~g'));
    plot.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', height + 30).attr('text-anchor', 'middle').text('weights left');
  }

  private drawHistogram(plot: Selection<SVGGElement, unknown, null, undefined>, data: Extract<StudyData, { kind: 'seeds' }>, width: number, height: number): void {
    const logs = data.losses.map((losses) => losses.map((l) => Math.log10(Math.max(l, LOSS_FLOOR))));
    const all = logs.flat().filter(Number.isFinite);
    const lo = Math.floor(Math.min(...all));
    const hi = Math.ceil(Math.max(...all, lo + 1));
    const x = scaleLinear().domain([lo, hi]).range([0, width]);
    const thresholds = x.ticks(Math.min(24, 4 * (hi - lo)));
    const groups = logs.map((values) => bin().domain([lo, hi]).thresholds(thresholds)(values));
    const most = Math.max(1, ...groups.flat().map((b) => b.length));
    const y = scaleLinear().domain([0, most]).nice().range([height, 0]);
    const count = groups.length;
    groups.forEach((bins, g) => {
      plot.append('g').attr('data-series', `x${data.factors[g]}`).selectAll('rect').data(bins.filter((b) => b.length > 0)).join('rect')
        .attr('class', 'study-bar')
        .attr('x', (b) => x(b.x0!) + (g * (x(b.x1!) - x(b.x0!))) / count)
        .attr('width', (b) => Math.max(1, (x(b.x1!) - x(b.x0!)) / count - 1))
        .attr('y', (b) => y(b.length)).attr('height', (b) => height - y(b.length)).attr('fill', runColor(g));
      plot.append('text').attr('class', 'chart-title').attr('x', 8 + g * 110).attr('y', -8).attr('fill', runColor(g))
        .text(data.factors[g] === 1 ? 'width as written' : `hidden widths x${data.factors[g]}`);
    });
    plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`).call(axisBottom(x).ticks(hi - lo).tickFormat((v) => `1e${Number(v)}`));
    plot.append('g').attr('class', 'axis').call(axisLeft(y).ticks(Math.min(most, 5), 'd'));
    plot.append('text').attr('class', 'axis-label').attr('x', width / 2).attr('y', height + 30).attr('text-anchor', 'middle').text('final training loss (seeds per bin)');
  }
}
