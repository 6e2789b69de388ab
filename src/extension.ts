// Composition root: each area registers its own commands and providers.
import * as vscode from 'vscode';
import { registerPanels } from './panels';
import { registerLossEditor } from './loss/editor';

export function activate(context: vscode.ExtensionContext): void {
  void context;
  registerPanels(context);
  registerLossEditor(context);
}

export function deactivate(): void {}
