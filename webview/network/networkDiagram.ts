// A small drawing of a network, as TensorFlow Playground draws one: a column of units per layer, an edge per weight
// coloured by its sign (blue positive, orange negative) and drawn thicker the larger it is, at the step shown.
import { select, type Selection } from 'd3-selection';
import { networkParamGroups, type ParamGroup } from '../../src/shared/network';
import { create } from '../dom/elements';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Units drawn per layer at most; a wider layer shows its first ones and how many more it has. */
export const MAX_UNITS_DRAWN = 12;
const POSITIVE = '#0877bd';
const NEGATIVE = '#f59322';

export interface DiagramEdge {
  layer: number;
  from: number;
  to: number;
  weight: number;
  /** False for a weight a pruning mask removed (drawn faint and dashed). */
  kept: boolean;
}

/**
 * The edges drawn for a network at parameters params: W_l[i, j] from unit j of layer l-1 to unit i of layer l; mask
 * (per parameter, 0 pruned) marks the pruned ones.
 */
export function diagramEdges(widths: readonly number[], batchnorm: boolean, params: ArrayLike<number>, mask?: ArrayLike<number>): DiagramEdge[] {
  const edges: DiagramEdge[] = [];
  const weights = networkParamGroups(widths, batchnorm).filter((g): g is ParamGroup & { kind: 'weight' } => g.kind === 'weight');
  for (const group of weights) {
    const [out, inputs] = group.shape;
    for (let i = 0; i < Math.min(out, MAX_UNITS_DRAWN); i++) {
      for (let j = 0; j < Math.min(inputs, MAX_UNITS_DRAWN); j++) {
        const index = group.start + i * inputs + j;
        edges.push({ layer: group.layer, from: j, to: i, weight: params[index], kept: mask === undefined || mask[index] !== 0 });
      }
    }
  }
  return edges;
}

export class NetworkDiagram {
  readonly element = create('div', { className: 'network-diagram' });
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly title: Selection<SVGTextElement, unknown, null, undefined>;
  private widths: number[] = [];
  private batchnorm = false;
  private params: ArrayLike<number> = [];
  private mask: ArrayLike<number> | undefined;
  private width = 0;
  private height = 0;

  constructor() {
    const svgElement = document.createElementNS(SVG_NS, 'svg');
    this.element.append(svgElement);
    this.svg = select(svgElement);
    this.title = this.svg.append('text').attr('class', 'chart-title').attr('x', 4).attr('y', 13);
    for (const name of ['edges', 'units', 'labels']) this.svg.append('g').attr('class', `network-${name}`);
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  setNetwork(widths: number[], batchnorm: boolean): void {
    this.widths = widths;
    this.batchnorm = batchnorm;
    this.drawUnits();
  }

  /** The weights at the step shown (a run's parameters), and what the title says about them; mask: a pruning's. */
  setParams(params: ArrayLike<number>, title: string, mask?: ArrayLike<number>): void {
    this.params = params;
    this.mask = mask;
    this.title.text(title);
    this.drawEdges();
  }

  private resize(): void {
    const box = this.element.getBoundingClientRect();
    this.width = box.width;
    this.height = box.height;
    this.svg.attr('width', box.width).attr('height', box.height);
    this.drawUnits();
  }

  private unitPosition(layer: number, unit: number): [number, number] {
    const columns = Math.max(2, this.widths.length);
    const x = 24 + ((this.width - 48) * layer) / (columns - 1);
    const shown = Math.min(this.widths[layer], MAX_UNITS_DRAWN);
    const top = 24;
    const bottom = this.height - 20;
    const step = Math.min(22, (bottom - top) / Math.max(1, shown));
    const y = (top + bottom) / 2 + (unit - (shown - 1) / 2) * step;
    return [x, y];
  }

  private drawUnits(): void {
    if (this.width <= 0 || this.widths.length === 0) return;
    const units = this.widths.flatMap((w, layer) => Array.from({ length: Math.min(w, MAX_UNITS_DRAWN) }, (_, unit) => [layer, unit]));
    this.svg
      .select('.network-units')
      .selectAll('circle')
      .data(units)
      .join('circle')
      .attr('class', 'network-unit')
      .attr('r', 5)
      .attr('cx', ([l, u]) => this.unitPosition(l, u)[0])
      .attr('cy', ([l, u]) => this.unitPosition(l, u)[1]);
    const last = this.widths.length - 1;
    this.svg
      .select('.network-labels')
      .selectAll('text')
      .data(this.widths)
      .join('text')
      .attr('class', 'network-width')
      .attr('text-anchor', 'middle')
      .attr('x', (_, l) => this.unitPosition(l, 0)[0])
      .attr('y', this.height - 4)
      .text((w, l) => `${l === 0 ? 'in ' : l === last ? 'out ' : ''}${w}${w > MAX_UNITS_DRAWN ? ` (${MAX_UNITS_DRAWN} shown)` : ''}`);
    this.drawEdges();
  }

  private drawEdges(): void {
    if (this.width <= 0 || this.widths.length === 0) return;
    const edges = this.params.length > 0 ? diagramEdges(this.widths, this.batchnorm, this.params, this.mask) : [];
    // Each layer's thickest edge is its largest weight: a layer of small weights still shows its pattern.
    const largest = new Map<number, number>();
    for (const e of edges) if (e.kept && Number.isFinite(e.weight)) largest.set(e.layer, Math.max(largest.get(e.layer) ?? 0, Math.abs(e.weight)));
    this.svg
      .select('.network-edges')
      .selectAll('line')
      .data(edges)
      .join('line')
      .attr('class', (e) => (e.kept ? 'network-edge' : 'network-edge network-edge-pruned'))
      .attr('x1', (e) => this.unitPosition(e.layer - 1, e.from)[0])
      .attr('y1', (e) => this.unitPosition(e.layer - 1, e.from)[1])
      .attr('x2', (e) => this.unitPosition(e.layer, e.to)[0])
      .attr('y2', (e) => this.unitPosition(e.layer, e.to)[1])
      .attr('stroke', (e) => (e.weight >= 0 ? POSITIVE : NEGATIVE))
      .attr('stroke-width', (e) => {
        if (!e.kept) return 0.6;
        const scale = largest.get(e.layer) || 1;
        return Number.isFinite(e.weight) ? 0.3 + 3 * (Math.abs(e.weight) / scale) : 0;
      })
      .attr('data-weight', (e) => e.weight);
  }
}
