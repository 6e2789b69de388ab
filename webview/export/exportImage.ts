// Export: the panel's landscapes (canvas heatmap under SVG contours, axes and trajectories) as one SVG document,
// or that document drawn to a PNG. Styles are copied as presentation attributes: the file stands alone.
const SVG_NS = 'http://www.w3.org/2000/svg';
const STYLED = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin', 'opacity', 'font-size', 'font-family', 'text-anchor', 'visibility'];

function inlineStyles(source: Element, target: Element): void {
  const computed = getComputedStyle(source);
  if (computed.display === 'none') target.setAttribute('display', 'none');
  for (const name of STYLED) {
    const value = computed.getPropertyValue(name);
    if (value) target.setAttribute(name, value);
  }
  const sources = source.children;
  const targets = target.children;
  for (let i = 0; i < sources.length && i < targets.length; i++) inlineStyles(sources[i], targets[i]);
}

/** A caption or legend (swatches and texts) as SVG, clipped to its box as on screen. */
function captionSvg(caption: HTMLElement, left: number, top: number): SVGSVGElement {
  const box = caption.getBoundingClientRect();
  const group = document.createElementNS(SVG_NS, 'svg');
  group.setAttribute('x', String(box.left - left));
  group.setAttribute('y', String(box.top - top));
  group.setAttribute('width', String(box.width));
  group.setAttribute('height', String(box.height));
  // The caption itself when it is a text of its own (a step counter), else its parts.
  for (const item of [caption, ...caption.querySelectorAll<HTMLElement>('*')]) {
    const rect = item.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const computed = getComputedStyle(item);
    if (item.classList.contains('swatch')) {
      const swatch = document.createElementNS(SVG_NS, 'rect');
      swatch.setAttribute('x', String(rect.left - box.left));
      swatch.setAttribute('y', String(rect.top - box.top));
      swatch.setAttribute('width', String(rect.width));
      swatch.setAttribute('height', String(rect.height));
      swatch.setAttribute('rx', '2');
      swatch.setAttribute('fill', computed.backgroundColor);
      group.append(swatch);
    } else if (item.children.length === 0 && item.textContent?.trim()) {
      const text = document.createElementNS(SVG_NS, 'text');
      text.setAttribute('x', String(rect.left - box.left));
      text.setAttribute('y', String(rect.top - box.top + rect.height / 2));
      text.setAttribute('dominant-baseline', 'central');
      text.setAttribute('fill', computed.color);
      text.setAttribute('font-size', computed.fontSize);
      text.setAttribute('font-family', computed.fontFamily);
      text.textContent = item.textContent;
      group.append(text);
    }
  }
  return group;
}

/**
 * Which part of the plot to draw. An animation draws the parts that stay the same from step to step (the 2-D
 * heatmaps and contours, the background) once, and only the rest (trajectories, markers, axes, captions) at each step.
 */
export type PlotPart = 'all' | 'static' | 'moving';

/** The contours: the SVG layer an animation's steps do not change. */
const STATIC_LAYER = 'landscape-contours';

/** One SVG document with every landscape (and caption or legend) where it is on screen. */
export function plotSvg(landscapes: HTMLElement[], captions: HTMLElement[] = [], part: PlotPart = 'all'): string {
  const boxes = [...landscapes, ...captions].map((element) => element.getBoundingClientRect());
  const left = Math.min(...boxes.map((b) => b.left));
  const top = Math.min(...boxes.map((b) => b.top));
  const width = Math.max(...boxes.map((b) => b.right)) - left;
  const height = Math.max(...boxes.map((b) => b.bottom)) - top;
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('width', String(Math.ceil(width)));
  root.setAttribute('height', String(Math.ceil(height)));
  root.setAttribute('viewBox', `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`);
  if (part !== 'moving') {
    const background = document.createElementNS(SVG_NS, 'rect');
    background.setAttribute('width', '100%');
    background.setAttribute('height', '100%');
    background.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
    root.append(background);
  }
  landscapes.forEach((element, i) => {
    const box = boxes[i];
    const group = document.createElementNS(SVG_NS, 'svg');
    group.setAttribute('x', String(box.left - left));
    group.setAttribute('y', String(box.top - top));
    group.setAttribute('width', String(box.width));
    group.setAttribute('height', String(box.height));
    const canvas = element.querySelector('canvas');
    if (canvas && part !== 'moving') {
      const image = document.createElementNS(SVG_NS, 'image');
      image.setAttribute('href', canvas.toDataURL('image/png'));
      image.setAttribute('width', String(box.width));
      image.setAttribute('height', String(box.height));
      image.setAttribute('preserveAspectRatio', 'none');
      group.append(image);
    }
    // The view's SVG layers in order (contours, then trajectories, markers and axes).
    for (const svg of element.querySelectorAll('svg')) {
      const drawn = part === 'all' || (part === 'static') === svg.classList.contains(STATIC_LAYER);
      // A layer not drawn still brings its definitions (the clip path the contours use is in the layer above them).
      const copy = svg.cloneNode(drawn) as SVGSVGElement;
      if (drawn) inlineStyles(svg, copy);
      else for (const defs of svg.querySelectorAll(':scope > defs')) copy.append(defs.cloneNode(true));
      copy.removeAttribute('class');
      group.append(copy);
    }
    // Clip paths need ids unique in the document.
    for (const clip of group.querySelectorAll('clipPath[id]')) {
      const id = clip.id;
      clip.id = `${id}-${i}`;
      for (const user of group.querySelectorAll(`[clip-path="url(#${id})"]`)) user.setAttribute('clip-path', `url(#${id}-${i})`);
    }
    root.append(group);
  });
  if (part !== 'static') for (const caption of captions) root.append(captionSvg(caption, left, top));
  return new XMLSerializer().serializeToString(root);
}

/** An SVG document decoded as an image (its size is the document's). */
export async function svgImage(svg: string): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The SVG document drawn at the screen's pixel ratio, as a PNG in base64. */
export async function plotPng(landscapes: HTMLElement[], captions: HTMLElement[] = []): Promise<string> {
  const image = await svgImage(plotSvg(landscapes, captions));
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(image.width * ratio);
  canvas.height = Math.round(image.height * ratio);
  const context = canvas.getContext('2d')!;
  context.scale(ratio, ratio);
  context.drawImage(image, 0, 0, image.width, image.height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
