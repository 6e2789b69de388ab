// Validates a language's documents as they open and, debounced, as they change; forgets them when they close.
// Shared by the .loss and .optim editors.
import * as vscode from 'vscode';

export interface DocumentWatch {
  languageId: string;
  /** Waits this long after the last edit before validating (typing stays smooth). */
  debounceMs: number;
  validate(document: vscode.TextDocument): void;
  /** The document closed: drop what is kept for it (its diagnostics, cached parses). */
  forget(document: vscode.TextDocument): void;
}

export function watchDocuments(context: vscode.ExtensionContext, watch: DocumentWatch): void {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const schedule = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      watch.validate(document);
    }, watch.debounceMs));
  };
  context.subscriptions.push(
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId === watch.languageId) watch.validate(document);
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.languageId === watch.languageId) schedule(event.document);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      const key = document.uri.toString();
      clearTimeout(timers.get(key));
      timers.delete(key);
      watch.forget(document);
    }),
  );
}
