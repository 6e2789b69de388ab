// A chart's playback cursor on its own SVG layer above the chart: moving it each animation frame repaints only
// this layer, not the chart's curves under it (the CSS gives it `will-change: transform`).
const SVG_NS = 'http://www.w3.org/2000/svg';

export class CursorLayer {
  private readonly svg = document.createElementNS(SVG_NS, 'svg');
  private readonly group = document.createElementNS(SVG_NS, 'g');
  readonly line = document.createElementNS(SVG_NS, 'line');

  constructor(parent: HTMLElement) {
    this.svg.classList.add('cursor-layer');
    this.line.classList.add('cursor');
    this.group.append(this.line);
    this.svg.append(this.group);
    parent.append(this.svg);
  }

  /** The plot's origin in the chart and its height; the cursor at x pixels from the origin. */
  place(left: number, top: number, height: number, x: number): void {
    this.group.setAttribute('transform', `translate(${left},${top})`);
    this.line.setAttribute('x1', String(x));
    this.line.setAttribute('x2', String(x));
    this.line.setAttribute('y1', '0');
    this.line.setAttribute('y2', String(height));
  }
}
