// The inspector's equations arrive as MathML text typeset on the host (katex). They are rebuilt here element by
// element from an allow-list of MathML tags and attributes: no script, style, link or foreign element gets through.
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
/** The presentation MathML that katex writes. */
const TAGS = new Set([
  'math', 'semantics', 'mrow', 'mi', 'mn', 'mo', 'ms', 'mtext', 'mspace', 'msup', 'msub', 'msubsup', 'mfrac', 'msqrt',
  'mroot', 'mover', 'munder', 'munderover', 'mtable', 'mtr', 'mtd', 'mstyle', 'mpadded', 'mphantom', 'menclose',
]);
const ATTRIBUTES = new Set([
  'display', 'mathvariant', 'stretchy', 'fence', 'separator', 'lspace', 'rspace', 'accent', 'accentunder', 'form',
  'columnalign', 'rowspacing', 'columnspacing', 'displaystyle', 'scriptlevel', 'width', 'height', 'depth', 'minsize',
  'maxsize', 'movablelimits', 'largeop', 'symmetric', 'linethickness', 'notation',
]);
/** A typeset line is a few kilobytes; anything far bigger is not one. */
const MOST_CHARACTERS = 200_000;

/** The <math> element of `markup`, rebuilt from the allow-lists; undefined when there is none. */
export function safeMath(markup: unknown): Element | undefined {
  if (typeof markup !== 'string' || markup.length > MOST_CHARACTERS) return undefined;
  const parsed = new DOMParser().parseFromString(markup, 'text/html').querySelector('math');
  return parsed ? rebuild(parsed) : undefined;
}

function rebuild(source: Element): Element | undefined {
  if (source.namespaceURI !== MATHML_NS || !TAGS.has(source.localName)) return undefined;
  const element = document.createElementNS(MATHML_NS, source.localName);
  for (const { name, value } of Array.from(source.attributes)) {
    if (ATTRIBUTES.has(name)) element.setAttribute(name, value);
  }
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) element.append(child.textContent ?? '');
    else if (child.nodeType === Node.ELEMENT_NODE) {
      const rebuilt = rebuild(child as Element);
      if (rebuilt) element.append(rebuilt);
    }
  }
  return element;
}
