// Composition root: each area registers its own commands and providers.
import * as vscode from 'vscode';
import { registerPanels } from './panels';

export function activate(context: vscode.ExtensionContext): void {
  void context;
  registerPanels(context);
}

export function deactivate(): void {}
