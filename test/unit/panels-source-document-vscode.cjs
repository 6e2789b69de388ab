// A stand-in for the vscode module for the Playground's source document (src/panels/sourceDocument.ts): one text
// document whose edits (WorkspaceEdit, applyEdit) change its text and fire onDidChangeTextDocument, as VS Code does.
class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range { constructor(a, b, c, d) { this.start = new Position(a, b); this.end = new Position(c, d); } }

/** A document whose text the edits change; `edits` counts applyEdit calls (each one undo step in VS Code). */
function editableDocument(text) {
  const document = {
    uri: { toString: () => 'untitled:Untitled-1' },
    text, isClosed: false, eol: 1, edits: 0,
    getText: () => document.text,
    get lineCount() { return document.text.split('\n').length; },
    lineAt: (line) => {
      const lineText = document.text.split('\n')[line];
      return { text: lineText, range: { end: new Position(line, lineText.length) } };
    },
    offsetAt: (position) => document.text.split('\n').slice(0, position.line).reduce((sum, l) => sum + l.length + 1, 0) + position.character,
  };
  return document;
}

// Shared through globalThis: the test bundles its own copy of this file into the module under test.
const shared = (globalThis.sourceDocumentFake ??= { listeners: [], current: undefined });
const { listeners } = shared;
module.exports = {
  Position, Range, editableDocument,
  EndOfLine: { LF: 1, CRLF: 2 },
  setDocument(document) { shared.current = document; },
  /** The user typed: the document's text changes by hand. */
  typed(document, text) {
    document.text = text;
    for (const listener of [...listeners]) listener({ document, contentChanges: [{}] });
  },
  WorkspaceEdit: class { constructor() { this.replacements = []; } replace(uri, range, text) { this.replacements.push({ uri, range, text }); } },
  workspace: {
    onDidChangeTextDocument(listener) { listeners.push(listener); return { dispose() { listeners.splice(listeners.indexOf(listener), 1); } }; },
    async applyEdit(edit) {
      for (const { range, text } of edit.replacements) {
        const document = shared.current;
        const start = document.offsetAt(range.start);
        const end = document.offsetAt(range.end);
        document.text = document.text.slice(0, start) + text + document.text.slice(end);
        document.edits++;
        document.lastReplacement = { range, text };
      }
      for (const listener of [...listeners]) listener({ document: shared.current, contentChanges: edit.replacements });
      return true;
    },
    asRelativePath: (uri) => uri.toString(),
  },
};
