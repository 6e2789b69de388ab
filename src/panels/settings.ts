// Panel defaults from the user's settings (optiscope.panels.*).
import * as vscode from 'vscode';
import { LIMITS, type PanelSettings, type RunConfig } from '../shared/protocol';
import type { ScenarioDefaults } from '../shared/scenario';

const FALLBACK_RUNS: RunConfig[] = [{ optimizer: 'sgd', options: { lr: 0.001 } }];

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function isRunConfig(value: unknown): value is RunConfig {
  const run = value as RunConfig;
  return typeof run === 'object' && run !== null && typeof run.optimizer === 'string' && typeof (run.options ?? {}) === 'object';
}

export function panelSettings(): PanelSettings {
  const config = vscode.workspace.getConfiguration('optiscope.panels');
  return {
    gridResolution: Math.round(clamp(config.get('gridResolution'), 32, LIMITS.maxGrid, 256)),
    animationSpeed: clamp(config.get('animationSpeed'), 1, 10_000, 60),
  };
}

export function scenarioDefaults(): ScenarioDefaults {
  const config = vscode.workspace.getConfiguration('optiscope.panels');
  const runs = config.get<unknown[]>('optimizers');
  const valid = Array.isArray(runs) ? runs.filter(isRunConfig).map((run) => ({ ...run, options: run.options ?? {} })) : [];
  return {
    runs: valid.length ? valid.slice(0, LIMITS.maxRuns) : FALLBACK_RUNS,
    steps: Math.round(clamp(config.get('steps'), 1, LIMITS.maxSteps, 300)),
  };
}
