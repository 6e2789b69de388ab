// Composition root: each area registers its own commands and providers.
import * as vscode from 'vscode';
import { registerPanels, showTrainingSession } from './panels';
import { scenarioDefaults } from './panels/settings';
import { registerLossEditor } from './loss/editor';
import { registerOptimizerEditor } from './loss/optim/editor';
import { registerLossVisualize } from './loss/visualize';
import { registerDebugger } from './debug/extension';
import { registerExamples } from './examples';

export function activate(context: vscode.ExtensionContext): void {
  registerPanels(context);
  registerLossEditor(context);
  registerOptimizerEditor(context);
  registerLossVisualize(context);
  registerDebugger(context, { scenarioDefaults, showTrainingSession });
  registerExamples(context);
}

export function deactivate(): void {}
