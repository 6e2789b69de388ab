// Editor support for .optim files (optimizers written in the optimizer language): diagnostics as you type, completion
// and hover.
import * as vscode from 'vscode';
import { watchDocuments } from '../documentWatch';
import { CONSTANTS, FUNCTIONS } from '../builtins';
import type { Diagnostic, Range } from '../diagnostics';
import { LIMITS } from '../../shared/limits';
import type { RunConfig, ScenarioDraft } from '../../shared/scenarioModel';
import { analyzeOptimizer, INPUTS, LAYER_REDUCTIONS, OptimizerResult, REDUCTIONS, RULE_FUNCTIONS, VISIBLE_STATES } from './language';

const LANGUAGE_ID = 'optim';
const DEBOUNCE_MS = 250;
const KEYWORDS: [string, string][] = [
  ['optimizer', 'optimizer NAME: the first line'],
  ['hyper', 'hyper a = 0.9, b = 1e-8: hyper-parameters with their defaults (a run\'s options override them by name)'],
  ['state', 'state m = 0, v = 0: per-coordinate state with its initial value'],
  ['scalar', 'scalar mu_product = 1: state with one value for the run (at most two)'],
  ['update', 'update: the rule, one assignment per line below it (assign x to move the parameters)'],
];

export function registerOptimizerEditor(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  const analyses = new WeakMap<vscode.TextDocument, { version: number; result: OptimizerResult }>();
  const analyze = (document: vscode.TextDocument): OptimizerResult => {
    const cached = analyses.get(document);
    if (cached && cached.version === document.version) return cached.result;
    const result = analyzeOptimizer(document.getText());
    analyses.set(document, { version: document.version, result });
    return result;
  };
  const validate = (document: vscode.TextDocument): void => {
    if (document.languageId !== LANGUAGE_ID) return;
    const result = analyze(document);
    collection.set(document.uri, (result.ok ? result.warnings : result.diagnostics).map(toVsDiagnostic));
  };
  watchDocuments(context, {
    languageId: LANGUAGE_ID,
    debounceMs: DEBOUNCE_MS,
    validate,
    forget: (document) => {
      analyses.delete(document);
      collection.delete(document.uri);
    },
  });
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  context.subscriptions.push(
    collection,
    vscode.languages.registerCompletionItemProvider(selector, { provideCompletionItems: (document, position) => completions(document, position, analyze(document)) }),
    vscode.languages.registerHoverProvider(selector, { provideHover: (document, position) => hover(document, position, analyze(document)) }),
    vscode.languages.registerCodeLensProvider(selector, { provideCodeLenses: (document) => compareLenses(context.extensionUri, document, analyze(document)) }),
  );
  vscode.workspace.textDocuments.forEach(validate);
}

/** The loss and the runs a written optimizer is compared with: Adam, SGD with momentum and Lion at rates that move on it. */
const COMPARE_LOSS = 'rosenbrock';
const COMPARED_WITH: RunConfig[] = [
  { optimizer: 'adam', options: { lr: 0.05 } },
  { optimizer: 'sgd', options: { lr: 1e-3, momentum: 0.9 } },
];
/** Lion's rate: its paper advises 3 to 10 times smaller than Adam's. */
const LION_OPTIONS = { lr: 0.005 };

/** "Compare with Adam" over the `optimizer` line of a file that compiles: Compare with the file's rule (as typed) beside Adam, SGD with momentum and Lion. */
async function compareLenses(extensionUri: vscode.Uri, document: vscode.TextDocument, result: OptimizerResult): Promise<vscode.CodeLens[]> {
  if (!result.ok || document.getText().length > LIMITS.optimizerLength) return [];
  const runs: RunConfig[] = [{ optimizer: document.getText(), options: {} }, ...COMPARED_WITH];
  try {
    const lion = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'examples', 'lion.optim')));
    runs.push({ optimizer: lion, options: LION_OPTIONS, label: `lion lr=${LION_OPTIONS.lr} (example)` });
  } catch {
    // A build without the examples compares with Adam and SGD only.
  }
  const line = Math.max(0, document.getText().split('\n').findIndex((text) => /^\s*optimizer\s/.test(text)));
  const draft: ScenarioDraft = { loss: COMPARE_LOSS, runs };
  return [new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: '$(split-horizontal) Compare with Adam', command: 'optiscope.compareOptimizers', arguments: [draft] })];
}

function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const range: Range = d.range;
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), d.message, severity);
  diagnostic.source = LANGUAGE_ID;
  return diagnostic;
}

function item(label: string, kind: vscode.CompletionItemKind, detail: string, call = false): vscode.CompletionItem {
  const completion = new vscode.CompletionItem(label, kind);
  completion.detail = detail;
  if (call) completion.insertText = new vscode.SnippetString(`${label}($1)`);
  return completion;
}

function completions(document: vscode.TextDocument, position: vscode.Position, result: OptimizerResult): vscode.CompletionItem[] {
  const before = document.lineAt(position.line).text.slice(0, position.character);
  const items: vscode.CompletionItem[] = [];
  if (/^\s*\w*$/.test(before)) for (const [word, doc] of KEYWORDS) items.push(item(word, vscode.CompletionItemKind.Keyword, doc));
  for (const [name, doc] of INPUTS) items.push(item(name, vscode.CompletionItemKind.Variable, doc));
  for (const [name, doc] of [...REDUCTIONS, ...LAYER_REDUCTIONS, ...RULE_FUNCTIONS]) items.push(item(name, vscode.CompletionItemKind.Function, doc, true));
  for (const [name, info] of FUNCTIONS) {
    if (!REDUCTIONS.has(name) && name !== 'prod') items.push(item(name, vscode.CompletionItemKind.Function, info.doc, true));
  }
  for (const [name, value] of CONSTANTS) items.push(item(name, vscode.CompletionItemKind.Constant, String(value)));
  if (result.ok) {
    for (const h of result.optimizer.hypers) if (!INPUTS.has(h.name)) items.push(item(h.name, vscode.CompletionItemKind.Constant, `hyper-parameter = ${h.value}`));
    for (const s of result.optimizer.states) items.push(item(s.name, vscode.CompletionItemKind.Variable, `state, initially ${s.initial}`));
  }
  return items;
}

function hover(document: vscode.TextDocument, position: vscode.Position, result: OptimizerResult): vscode.Hover | undefined {
  const wordRange = document.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_]*/);
  const word = wordRange ? document.getText(wordRange) : '';
  const doc = INPUTS.get(word) ?? REDUCTIONS.get(word) ?? LAYER_REDUCTIONS.get(word) ?? RULE_FUNCTIONS.get(word) ?? FUNCTIONS.get(word)?.doc
    ?? KEYWORDS.find(([k]) => k === word)?.[1];
  const lines: string[] = doc ? [`**${word}**: ${doc}`] : [];
  if (result.ok) {
    const hyper = result.optimizer.hypers.find((h) => h.name === word);
    const stateIndex = result.optimizer.states.findIndex((s) => s.name === word);
    if (hyper) lines.push(`**${word}**: hyper-parameter, default ${hyper.value}`);
    if (stateIndex >= 0) {
      const seen = stateIndex < VISIBLE_STATES
        ? `breakpoints and the inspector read it per coordinate as ${word}_x, ${word}_y, ...`
        : `not recorded: breakpoints and the inspector see the first ${VISIBLE_STATES} states`;
      lines.push(`**${word}**: state, initially ${result.optimizer.states[stateIndex].initial}; ${seen}`);
    }
  }
  return lines.length > 0 ? new vscode.Hover(new vscode.MarkdownString(lines.join('\n\n')), wordRange) : undefined;
}
