// The .loss editor support against a stand-in vscode module: diagnostics, completion, hover, New Loss File.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const outfile = join(root, 'out', 'unit', 'loss-editor.test.bundle.cjs');
await esbuild.build({
  entryPoints: [join(root, 'src/loss/editor.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error',
  alias: { vscode: join(root, 'test/unit/loss-editor-fake-vscode.cjs') },
});
const { registerLossEditor } = require(outfile);
const vscode = require('./loss-editor-fake-vscode.cjs');

const documentOf = (text, version = 1) => vscode.fakeDocument(text, { uri: { toString: () => 'untitled:test.loss' }, languageId: 'loss', version });

const context = { subscriptions: [] };
registerLossEditor(context);
const { registered } = vscode;

test('diagnostics appear for a bad loss and clear when fixed', () => {
  registered.listeners.open(documentOf('f = sni(x) + y'));
  const [diagnostic] = registered.collections[0].get({ toString: () => 'untitled:test.loss' });
  assert.equal(diagnostic.message, "Unknown name 'sni'. Did you mean 'sin'?");
  assert.deepEqual([diagnostic.range.start.character, diagnostic.range.end.character], [4, 7]);
  registered.listeners.open(documentOf('f = sin(x) + y', 2));
  assert.deepEqual(registered.collections[0].get({ toString: () => 'untitled:test.loss' }), []);
});

test('completion offers functions, keywords, declared names and optimizers', () => {
  const document = documentOf('a = 3\nf = a*x^2 + \noptimizer ');
  const items = registered.completion[0].provideCompletionItems(document, new vscode.Position(1, 12)).map((i) => i.label);
  assert.ok(items.includes('sin') && items.includes('softplus') && items.includes('pi'));
  const optimizers = registered.completion[0].provideCompletionItems(document, new vscode.Position(2, 10)).map((i) => i.label);
  assert.ok(optimizers.includes('adam') && !optimizers.includes('sin'));
});

test('hover shows function docs and the value and gradient at the start point', () => {
  const document = documentOf('f = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)', 3);
  const onLoss = registered.hover[0].provideHover(document, new vscode.Position(0, 6));
  assert.match(onLoss.contents.value, /At start \(-1\.5, 2\): f = 12\.5, gradient = \(-155, -50\)/);
  const onFunction = registered.hover[0].provideHover(documentOf('f = softplus(x)', 4), new vscode.Position(0, 6));
  assert.match(onFunction.contents.value, /softplus/);
});

test('New Loss File opens a commented example that parses', async () => {
  await registered.commands['optiscope.newLossFile']();
  assert.equal(registered.shown.language, 'loss');
  assert.match(registered.shown.content, /^# /);
  registered.listeners.open(documentOf(registered.shown.content, 5));
  assert.deepEqual(registered.collections[0].get({ toString: () => 'untitled:test.loss' }), []);
});
