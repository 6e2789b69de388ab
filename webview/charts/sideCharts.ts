// The Playground's charts beside the loss charts: a data-backed loss's samples with each run's model, or an online
// problem's x against t and average regret; hidden for other losses.
import type { Scenario, Snapshot, TraceData } from '../../src/shared/protocol';
import { averageRegret } from '../../src/shared/stochastic';
import { create } from '../dom/elements';
import { paramsAt } from '../runs/traces';
import { DataView } from './dataView';
import { SeriesChart } from './seriesChart';

export class SideCharts {
  readonly element = create('div', { className: 'side-charts', hidden: true });
  private readonly dataView = new DataView();
  private readonly positionChart = new SeriesChart('position-chart', 'x against t');
  private readonly regretChart = new SeriesChart('regret-chart', 'average regret R_T / T');

  /** The charts the snapshot's loss has (a data set, or an online problem), with the data set's samples. */
  setLoss(next: Snapshot): void {
    const online = next.loss.online !== undefined;
    const data = next.samples !== undefined && next.loss.data !== undefined;
    this.element.hidden = !online && !data;
    this.element.replaceChildren(...(online ? [this.positionChart.element, this.regretChart.element] : data ? [this.dataView.element] : []));
    if (data && next.samples && next.loss.data) this.dataView.setData(next.samples, next.loss.data.columns, next.loss.data.model);
  }

  /** The runs: each one's model over the data, or its x against t and average regret (within its projection box). */
  setTraces(traces: TraceData[], snapshot: Snapshot | undefined, scenario: Scenario | undefined): void {
    const loss = snapshot?.loss;
    if (!loss) return;
    if (loss.online) {
      this.positionChart.setSeries(traces.map((trace) => ({ first: 0, values: Array.from({ length: trace.rowCount }, (_, r) => paramsAt(trace, r)[0]) })));
      this.regretChart.setSeries(
        traces.map((trace, i) => {
          const box = scenario?.runs[i]?.project?.[0];
          return { first: 1, values: averageRegret(trace, { ...loss, lossParams: scenario?.lossParams ?? loss.lossParams }, box)?.averageRegret ?? [] };
        }),
      );
    }
    this.dataView.setTraces(traces);
  }

  setStep(step: number): void {
    if (this.element.hidden) return;
    this.dataView.setStep(step);
    this.positionChart.setStep(step);
    this.regretChart.setStep(step);
  }
}
