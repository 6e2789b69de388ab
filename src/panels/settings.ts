// Panel defaults from the user's settings (optiscope.panels.*).
import * as vscode from 'vscode';
import { LIMITS } from '../shared/limits';
import type { PanelSettings } from '../shared/protocol';
import type { ScenarioDefaults } from '../shared/scenario';
import { RunSchema, validate, type RunConfig } from '../shared/scenarioModel';

const FALLBACK_RUNS: RunConfig[] = [{ optimizer: 'sgd', options: { lr: 0.001 } }];

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

/** A configured run checked by the scenario model's schema (options may be left out: the optimizer's defaults). */
function configuredRun(value: unknown, index: number): RunConfig | undefined {
  const withOptions = value && typeof value === 'object' && !('options' in value) ? { ...value, options: {} } : value;
  const parsed = validate(RunSchema, withOptions, `optiscope.panels.optimizers[${index}]`);
  if (parsed.ok) return parsed.value;
  void vscode.window.showWarningMessage(`Optiscope settings: ${parsed.error}. This run is left out.`);
  return undefined;
}

export function panelSettings(): PanelSettings {
  const config = vscode.workspace.getConfiguration('optiscope.panels');
  return {
    gridResolution: Math.round(clamp(config.get('gridResolution'), 32, LIMITS.panelMaxGrid, 256)),
    animationSpeed: clamp(config.get('animationSpeed'), 1, 10_000, 60),
  };
}

export function scenarioDefaults(): ScenarioDefaults {
  const config = vscode.workspace.getConfiguration('optiscope.panels');
  const runs = config.get<unknown[]>('optimizers');
  const valid = Array.isArray(runs) ? runs.map(configuredRun).filter((run) => run !== undefined) : [];
  return {
    runs: valid.length ? valid.slice(0, LIMITS.maxRuns) : FALLBACK_RUNS,
    steps: Math.round(clamp(config.get('steps'), 1, LIMITS.panelMaxSteps, 300)),
  };
}
