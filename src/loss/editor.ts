// Editor support for .loss files: diagnostics as you type, completion, hover, and a "New Loss File" command.
import * as vscode from 'vscode';
import { watchDocuments } from './documentWatch';
import { CONSTANTS, FUNCTION_ALIASES, FUNCTIONS, KNOWN_OPTIMIZERS, SCENARIO_KEYWORDS } from './builtins';
import { dataFiles, evaluateLoss, parseLoss } from './index';
import type { DataFiles, Diagnostic, ParseResult, Range } from './index';
import { dataFileReader } from './dataFiles';

const LANGUAGE_ID = 'loss';
const DEBOUNCE_MS = 250;

const EXAMPLE = `# An Optiscope loss file: a loss, and optionally the experiment around it.
# Syntax: + - * / ^ (or **), functions such as sin exp log sqrt max softplus, constants pi and e.
a = 1
b = 100
f = (a - x)^2 + b*(y - x^2)^2     # Rosenbrock's banana; the parameters are x and y

domain x in [-2, 2], y in [-1, 3]   # the plotted ranges
start = (-1.5, 2)                   # one or more start points
minimum = (1, 1)                    # known minima
optimizer sgd lr=1e-3 momentum=0.9  # PyTorch option names
optimizer adam lr=0.05 betas=(0.9, 0.999)
steps = 200

# For n-D losses declare the parameters and use indexed sums:
#   params w[10]
#   f = sum(i = 1..9, 100*(w[i+1] - w[i]^2)^2 + (1 - w[i])^2)
#
# For a loss over data, name the columns and write the loss of one sample (the loss is the mean):
#   params w, b
#   data x, y = [1, 2.1; 2, 3.9; 3, 6.2]   # or: data "points.csv" (a CSV beside this file, with a header)
#   f = (w*x + b - y)^2
#   stochastic batch=2 seed=1              # minibatch steps, reproducible
`;

export function registerLossEditor(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  // Keyed by the document object: an untitled document's URI is reused after it closes.
  const parses = new WeakMap<vscode.TextDocument, { version: number; result: ParseResult }>();
  // The data files each document names, as last read (next to the document, through vscode.workspace.fs).
  const files = new WeakMap<vscode.TextDocument, DataFiles>();

  const parse = (document: vscode.TextDocument): ParseResult => {
    const cached = parses.get(document);
    if (cached && cached.version === document.version) return cached.result;
    const result = parseLoss(document.getText(), files.get(document));
    parses.set(document, { version: document.version, result });
    return result;
  };
  const publish = (document: vscode.TextDocument): void => {
    const result = parse(document);
    collection.set(document.uri, (result.ok ? result.loss.warnings : result.diagnostics).map(toVsDiagnostic));
  };
  const validate = (document: vscode.TextDocument): void => {
    if (document.languageId !== LANGUAGE_ID) return;
    const text = document.getText();
    if (dataFiles(text).length === 0) {
      files.delete(document);
      publish(document);
      return;
    }
    // Data files are read first (asynchronously); a newer version of the document validates itself.
    const reader = dataFileReader(context);
    if (!watching) {
      watching = true;
      context.subscriptions.push(reader.onDidChange(() => vscode.workspace.textDocuments.forEach(validate)));
    }
    const version = document.version;
    void reader.read(document.uri, text).then((read) => {
      if (document.isClosed || document.version !== version) return;
      files.set(document, read);
      parses.delete(document);
      publish(document);
    });
  };
  let watching = false;
  watchDocuments(context, {
    languageId: LANGUAGE_ID,
    debounceMs: DEBOUNCE_MS,
    validate,
    forget: (document) => {
      parses.delete(document);
      collection.delete(document.uri);
    },
  });

  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  context.subscriptions.push(
    collection,
    vscode.languages.registerCompletionItemProvider(selector, { provideCompletionItems: (document, position) => completions(document, position, parse) }),
    vscode.languages.registerHoverProvider(selector, { provideHover: (document, position) => hover(document, position, parse(document)) }),
    vscode.commands.registerCommand('optiscope.newLossFile', async () => {
      const document = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: EXAMPLE });
      await vscode.window.showTextDocument(document);
    }),
  );
  vscode.workspace.textDocuments.forEach(validate);
}

function toVsRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(toVsRange(d.range), d.message, severity);
  diagnostic.source = 'loss';
  return diagnostic;
}

function completions(document: vscode.TextDocument, position: vscode.Position, parse: (d: vscode.TextDocument) => ParseResult): vscode.CompletionItem[] {
  const before = document.lineAt(position.line).text.slice(0, position.character);
  if (/^\s*optimizer\s+\w*$/.test(before)) {
    return KNOWN_OPTIMIZERS.map((name) => new vscode.CompletionItem(name, vscode.CompletionItemKind.Class));
  }
  const items: vscode.CompletionItem[] = [];
  for (const [name, info] of FUNCTIONS) {
    const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Function);
    item.detail = info.doc;
    item.insertText = new vscode.SnippetString(`${name}($1)`);
    items.push(item);
  }
  for (const [alias, name] of FUNCTION_ALIASES) {
    const item = new vscode.CompletionItem(alias, vscode.CompletionItemKind.Function);
    item.detail = `same as ${name}`;
    items.push(item);
  }
  for (const [name, value] of CONSTANTS) {
    const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Constant);
    item.detail = String(value);
    items.push(item);
  }
  if (/^\s*\w*$/.test(before)) {
    for (const keyword of SCENARIO_KEYWORDS) items.push(new vscode.CompletionItem(keyword, vscode.CompletionItemKind.Keyword));
  }
  const result = parse(document);
  if (result.ok) {
    for (const symbol of result.loss.symbols) {
      const kind = symbol.kind === 'constant' || symbol.kind === 'definition' ? vscode.CompletionItemKind.Constant : vscode.CompletionItemKind.Variable;
      const item = new vscode.CompletionItem(symbol.name, kind);
      item.detail = symbol.value !== undefined ? `${symbol.kind} = ${symbol.value}` : symbol.kind;
      items.push(item);
    }
  }
  return items;
}

function format(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(8))) : String(value);
}

function hover(document: vscode.TextDocument, position: vscode.Position, result: ParseResult): vscode.Hover | undefined {
  const wordRange = document.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_]*/);
  const word = wordRange ? document.getText(wordRange) : '';
  const lines: string[] = [];
  const info = FUNCTIONS.get(FUNCTION_ALIASES.get(word) ?? word);
  if (info) lines.push(`**${word}**: ${info.doc}`);
  else if (CONSTANTS.has(word)) lines.push(`**${word}** = ${CONSTANTS.get(word)}`);
  if (result.ok) {
    const loss = result.loss;
    const symbol = loss.symbols.find((s) => s.name === word);
    if (symbol && !info) lines.push(`**${word}**: ${symbol.kind}${symbol.value !== undefined ? ` = ${format(symbol.value)}` : ''}`);
    const inLoss = toVsRange(loss.range).contains(position) || /^\s*start\b/.test(document.lineAt(position.line).text);
    const start = loss.scenario.start[0];
    if (inLoss && start) {
      try {
        const { value, gradient } = evaluateLoss(loss, start);
        lines.push(`At start (${start.map(format).join(', ')}): f = ${format(value)}, gradient = (${gradient.map(format).join(', ')})`);
      } catch {
        lines.push('This loss is too large to evaluate here.');
      }
    }
  }
  return lines.length > 0 ? new vscode.Hover(new vscode.MarkdownString(lines.join('\n\n')), wordRange) : undefined;
}
