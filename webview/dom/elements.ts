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

/**
 * A text field that keeps what the user is typing: `showValue` sets what the scenario says, except while the field
 * has focus and was typed in since it was last committed (Enter or leaving it), so a snapshot that arrives then
 * does not take the user's text away.
 */
export function keepTyping(field: HTMLElement & { value: string }): { showValue(value: string): boolean } {
  let typing = false;
  field.addEventListener('input', () => (typing = true));
  field.addEventListener('change', () => (typing = false));
  field.addEventListener('blur', () => (typing = false));
  return {
    /** False when the user's text was kept. */
    showValue(value: string) {
      if (typing && document.activeElement === field) return false;
      typing = false;
      field.value = value;
      return true;
    },
  };
}
