// One SVG path per run in `group`, in the run's colour (data-run: its index, for tests and hover).
import type { Selection } from 'd3-selection';
import { runColor } from '../dom/theme';

export function drawRunPaths(group: Selection<SVGGElement, unknown, null, undefined>, paths: string[]): void {
  group
    .selectAll('path')
    .data(paths)
    .join('path')
    .attr('d', (d) => d)
    .attr('data-run', (_, i) => i)
    .attr('stroke', (_, i) => runColor(i));
}
