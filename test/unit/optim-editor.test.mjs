// The .optim editor support against the stand-in vscode module: diagnostics as you type, completion, hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const outfile = join(root, 'out', 'unit', 'optim-editor.test.bundle.cjs');
await esbuild.build({
  entryPoints: [join(root, 'src/loss/optim/editor.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error',
  alias: { vscode: join(root, 'test/unit/loss-editor-fake-vscode.cjs') },
});
const { registerOptimizerEditor } = require(outfile);
const vscode = require('./loss-editor-fake-vscode.cjs');
const LION = readFileSync(join(root, 'examples/lion.optim'), 'utf8');
const uri = { toString: () => 'untitled:test.optim' };

const documentOf = (text, version = 1, languageId = 'optim') => vscode.fakeDocument(text, { uri, languageId, version });

registerOptimizerEditor({ subscriptions: [], extensionUri: { path: root } });
const { registered } = vscode;
const collection = registered.collections[registered.collections.length - 1];

test('a diagnostic with its range appears for a typo and clears when fixed', () => {
  const broken = LION.replace('beta2*m', 'bta2*m');
  registered.listeners.open(documentOf(broken));
  const [diagnostic] = collection.get(uri);
  assert.equal(diagnostic.message, "Unknown name 'bta2'. Did you mean 'beta2'?");
  const line = broken.split('\n').findIndex((l) => l.includes('bta2'));
  assert.equal(diagnostic.range.start.line, line);
  assert.equal(diagnostic.range.end.character - diagnostic.range.start.character, 4);
  registered.listeners.open(documentOf(LION, 2));
  assert.deepEqual(collection.get(uri), []);
  registered.listeners.open(documentOf('f = sni(x)', 3, 'loss'));
  assert.deepEqual(collection.get(uri), [], 'a .loss document is not checked as an optimizer');
});

test('completion offers the inputs, reductions, hyper-parameters and states', () => {
  const document = documentOf(`${LION}  x = x - `, 4);
  const line = document.getText().split('\n').length - 1;
  const provider = registered.completion[registered.completion.length - 1];
  const labels = provider.provideCompletionItems(document, new vscode.Position(line, 10)).map((i) => i.label);
  for (const name of ['g', 'lr', 't', 'norm', 'where', 'lerp', 'sqrt']) assert.ok(labels.includes(name), name);
  const declared = provider.provideCompletionItems(documentOf(LION, 5), new vscode.Position(5, 2)).map((i) => i.label);
  for (const name of ['beta1', 'weight_decay', 'm', 'update', 'hyper']) assert.ok(declared.includes(name), name);
});

test('hover explains inputs, reductions and declared names', () => {
  const provider = registered.hover[registered.hover.length - 1];
  const lines = LION.split('\n');
  const row = lines.findIndex((l) => l.includes('sign(c)'));
  const at = (word, r = row) => new vscode.Position(r, lines[r].indexOf(word) + 1);
  assert.match(provider.provideHover(documentOf(LION, 6), at('sign')).contents.value, /sign/);
  assert.match(provider.provideHover(documentOf(LION, 6), at('lr')).contents.value, /learning rate of this step/);
  const stateRow = lines.findIndex((l) => l.startsWith('state'));
  assert.match(provider.provideHover(documentOf(LION, 6), at('m', stateRow)).contents.value, /state, initially 0; .* m_x/);
});

test('"Compare with Adam" over the optimizer line opens Compare with the rule as typed beside Adam, SGD with momentum and Lion; none while it does not compile', async () => {
  const [provider] = registered.lenses;
  const edited = LION.replace('beta2 = 0.99', 'beta2 = 0.98');
  const [lens, ...more] = await provider.provideCodeLenses(documentOf(edited, 5));
  assert.equal(more.length, 0);
  assert.equal(lens.range.start.line, edited.split('\n').findIndex((l) => l.startsWith('optimizer ')));
  assert.equal(lens.command.command, 'optiscope.compareOptimizers');
  const [draft] = lens.command.arguments;
  assert.equal(draft.loss, 'rosenbrock');
  assert.deepEqual(draft.runs.map((r) => r.optimizer), [edited, 'adam', 'sgd', LION]);
  assert.equal(draft.runs[2].options.momentum, 0.9);
  assert.deepEqual(await provider.provideCodeLenses(documentOf(LION.replace('beta2*m', 'bta2*m'), 6)), []);
});
