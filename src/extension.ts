// Composition root: each area registers its own commands and providers.
import * as vscode from 'vscode';
import { registerPanels } from './panels';
import { registerLossEditor } from './loss/editor';
import { registerLossVisualize } from './loss/visualize';
import { registerDebugger } from './debug/extension';

export function activate(context: vscode.ExtensionContext): void {
  registerPanels(context);
  registerLossEditor(context);
  registerLossVisualize(context);
  registerDebugger(context);
}

export function deactivate(): void {}
