// Building page elements in one expression: a tag, its properties and its children.

export function create<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

/** A toolkit button that calls `onClick`; secondary (the quieter look) unless told otherwise; `className` '': none. */
export function button(label: string, className: string, onClick: () => void, props: Partial<HTMLElementTagNameMap['vscode-button']> = {}): HTMLElementTagNameMap['vscode-button'] {
  const element = create('vscode-button', { ...(className ? { className } : {}), secondary: true, ...props }, label);
  element.addEventListener('click', onClick);
  return element;
}
