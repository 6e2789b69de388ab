// Export and Export Animation of a panel: the page draws (the host asks it over PageRequests), the host collects
// the file; the data exports (.loss, CSV, JSON) come from the engine.
import type { CancelSignal } from '../shared/engineApi';
import type { AnimationPart, PageAnswer, PageRequests, RunsData, Scenario, ToWebview } from '../shared/protocol';
import { RpcClient } from '../shared/rpc';
import { scenarioLossFile, trajectoriesCsv, trajectoriesJson, type ExportFormat } from '../shared/export';
import { runLabel } from '../shared/scenario';
import { parseLoss } from '../loss/index';
import { withRunOptimizers } from '../loss/optim';
import { pytorchScriptOf } from '../loss/pytorchExport';
import type { PanelEngine } from './scenarioRuns';

function concatenate(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** The host's end of PageRequests: what the page draws for Export and Export Animation. */
export class PageDrawing {
  private readonly requests: RpcClient<PageRequests>;

  constructor(post: (message: ToWebview) => void) {
    this.requests = new RpcClient<PageRequests>(post);
  }

  /** Takes the page's answer to one of these requests (validated by parseFromWebview). */
  receive(answer: PageAnswer): void {
    this.requests.receive(answer);
  }

  /** The plot as a PNG (base64) or an SVG document. */
  async render(format: 'png' | 'svg'): Promise<string> {
    return (await this.requests.request('render', { format })).data;
  }

  /**
   * The page draws a frame at each step and encodes them (see webview/export/exportAnimation.ts); the file's bytes arrive
   * frame by frame as transferred buffers, and only collecting them happens here. Resolves with the whole file;
   * cancel rejects at once (a CancelledError) and tells the page to stop.
   */
  async animate(request: PageRequests['animate']['params'], cancel: CancelSignal, progress: (framesDone: number) => void): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const onProgress = (part: AnimationPart) => {
      parts.push(part.data);
      progress(part.framesDone);
    };
    await this.requests.request('animate', request, { onProgress, cancel });
    return concatenate(parts);
  }

  /** Rejects what is still being drawn. */
  close(): void {
    this.requests.rejectAll(new Error('the panel was closed'));
  }
}

/** What a data export needs of its panel. */
export interface ExportSource {
  engine: PanelEngine;
  scenario: Scenario;
  render(format: 'png' | 'svg'): Promise<string>;
  /** The scenario's runs at once. */
  runs(scenario: Scenario): Promise<RunsData>;
}

/** The file Export writes for a panel's scenario. */
export async function exportFile(format: ExportFormat, { engine, scenario, render, runs: runsOf }: ExportSource): Promise<Uint8Array> {
  const encode = (text: string) => new TextEncoder().encode(text);
  if (format === 'png') return Uint8Array.from(atob(await render('png')), (c) => c.charCodeAt(0));
  if (format === 'svg') return encode(await render('svg'));
  const loss = await engine.lossInfo(scenario.loss, scenario.lossParams);
  if (format === 'loss') {
    const builtin = engine.losses().some((l) => l.name === scenario.loss);
    const text = scenarioLossFile(scenario, loss, builtin);
    const parsed = parseLoss(text);
    if (!parsed.ok) throw new Error(`${loss.title} cannot be written as a .loss file: ${parsed.diagnostics[0]?.message ?? 'it does not parse'}`);
    return encode(text);
  }
  const { traces } = await runsOf(scenario);
  const optimizers = withRunOptimizers(engine.optimizers(), scenario.runs);
  if (format === 'py') return encode(await pytorchScriptOf(engine, scenario, traces));
  const runs = traces.map((trace, i) => ({ label: runLabel(scenario.runs[i], optimizers), options: scenario.runs[i].options, trace }));
  return encode(format === 'csv' ? trajectoriesCsv(runs, loss.params) : trajectoriesJson(scenario, loss, runs));
}
