// The Export… and Export Animation… buttons both pages show (the host asks for the format and file, then the plot).
import { button } from '../dom/elements';

export function exportButtons(events: { exportPlot(): void; exportAnimation(): void }): HTMLElement[] {
  return [
    button('Export…', 'export', () => events.exportPlot()),
    button('Export Animation…', 'export-animation', () => events.exportAnimation(), { title: 'The playback as a GIF (or WebM): size, frame rate and steps' }),
  ];
}
