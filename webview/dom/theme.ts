// Theme colours for canvas and palettes, read from VS Code's --vscode-* variables.
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast';
  background: string;
  foreground: string;
}

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function paletteFrom(interpolate: (t: number) => string): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  const probe = document.createElement('canvas').getContext('2d')!;
  for (let i = 0; i < 256; i++) {
    probe.fillStyle = interpolate(i / 255);
    const hex = probe.fillStyle; // normalised to #rrggbb
    palette[i * 3] = parseInt(hex.slice(1, 3), 16);
    palette[i * 3 + 1] = parseInt(hex.slice(3, 5), 16);
    palette[i * 3 + 2] = parseInt(hex.slice(5, 7), 16);
  }
  return palette;
}

let viridis: Uint8Array | undefined;

/** 256 RGB triples for the heatmap, low to high (the same in every theme: the canvas blends it with the background). */
export function heatmapPalette(): Uint8Array {
  viridis ??= paletteFrom(interpolateViridis);
  return viridis;
}

export function readTheme(): Theme {
  const classes = document.body.classList;
  const kind = classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light') ? 'high-contrast' : classes.contains('vscode-light') ? 'light' : 'dark';
  return {
    kind,
    background: cssVariable('--vscode-editor-background', kind === 'light' ? '#ffffff' : '#1e1e1e'),
    foreground: cssVariable('--vscode-editor-foreground', kind === 'light' ? '#333333' : '#cccccc'),
  };
}

/** VS Code swaps the body's theme class when the colour theme changes. */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

export function runColor(index: number): string {
  return schemeTableau10[index % schemeTableau10.length];
}
