// A minimal stand-in for the vscode module: records registrations so the loss editor can be tested in Node.
class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range {
  constructor(a, b, c, d) { this.start = new Position(a, b); this.end = new Position(c, d); }
  contains(p) {
    const after = p.line > this.start.line || (p.line === this.start.line && p.character >= this.start.character);
    const before = p.line < this.end.line || (p.line === this.end.line && p.character <= this.end.character);
    return after && before;
  }
}
/** A TextDocument as the editors read it: its text, its lines and the word at a position. */
function fakeDocument(text, { uri, languageId, version = 1 }) {
  const lines = text.split('\n');
  return {
    uri, languageId, version,
    getText: (range) => (range ? lines[range.start.line].slice(range.start.character, range.end.character) : text),
    lineAt: (line) => ({ text: lines[line] }),
    getWordRangeAtPosition(position, pattern) {
      const line = lines[position.line];
      for (const match of line.matchAll(new RegExp(pattern.source, 'g'))) {
        if (match.index <= position.character && position.character <= match.index + match[0].length) {
          return new Range(position.line, match.index, position.line, match.index + match[0].length);
        }
      }
      return undefined;
    },
  };
}
// Shared through globalThis: the test bundles its own copy of this file into the editor bundle.
const registered = (globalThis.lossEditorRegistrations ??= { commands: {}, completion: [], hover: [], lenses: [], collections: [], listeners: {} });
const listener = (name) => (fn) => { registered.listeners[name] = fn; return { dispose() {} }; };
module.exports = {
  registered,
  fakeDocument,
  Position, Range,
  Diagnostic: class { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } },
  DiagnosticSeverity: { Error: 0, Warning: 1 },
  CompletionItem: class { constructor(label, kind) { Object.assign(this, { label, kind }); } },
  CompletionItemKind: { Function: 1, Constant: 2, Variable: 3, Keyword: 4, Class: 5 },
  SnippetString: class { constructor(value) { this.value = value; } },
  MarkdownString: class { constructor(value) { this.value = value; } },
  Hover: class { constructor(contents, range) { Object.assign(this, { contents, range }); } },
  CodeLens: class { constructor(range, command) { Object.assign(this, { range, command }); } },
  Uri: { joinPath: (base, ...parts) => ({ path: [base.path, ...parts].join('/') }) },
  languages: {
    createDiagnosticCollection() {
      const map = new Map();
      const c = { set: (uri, d) => map.set(uri.toString(), d), delete: (uri) => map.delete(uri.toString()), get: (uri) => map.get(uri.toString()), dispose() {} };
      registered.collections.push(c);
      return c;
    },
    registerCompletionItemProvider(selector, provider) { registered.completion.push(provider); return { dispose() {} }; },
    registerHoverProvider(selector, provider) { registered.hover.push(provider); return { dispose() {} }; },
    registerCodeLensProvider(selector, provider) { registered.lenses.push(provider); return { dispose() {} }; },
  },
  workspace: {
    textDocuments: [],
    onDidOpenTextDocument: listener('open'),
    onDidChangeTextDocument: listener('change'),
    onDidCloseTextDocument: listener('close'),
    openTextDocument: async (options) => ({ ...options }),
    fs: { readFile: async (uri) => require('node:fs').readFileSync(uri.path) },
  },
  window: { showTextDocument: async (doc) => { registered.shown = doc; } },
  commands: { registerCommand(name, fn) { registered.commands[name] = fn; return { dispose() {} }; } },
};
