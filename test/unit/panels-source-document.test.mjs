// The Playground's source document against a stand-in vscode module: a network control's change is one edit of its
// line, and the panel re-runs with the file; run edits rewrite the optimizer lines only when the runs differ; hand
// edits re-run the panel; without a document the scenario's own text is edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { loadTs } from './panels-bundle.mjs';
import { loadLoss } from './loss-helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const outfile = join(root, 'out', 'unit', 'panels-source-document.bundle.cjs');
await esbuild.build({
  entryPoints: [join(root, 'src/panels/sourceDocument.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error',
  alias: { vscode: join(root, 'test/unit/panels-source-document-vscode.cjs') },
});
const { SourceDocument } = require(outfile);
const vscode = require('./panels-source-document-vscode.cjs');
const { NETWORK_STARTERS, starterLossText } = await loadTs('src/panels/networkStarters.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { parseLoss } = await loadLoss();

const OPTIMIZERS = [
  { name: 'sgd', defaults: { lr: 0.001, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false } },
  { name: 'adam', defaults: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false } },
];
/** A document's scenario as the panels make it: the runs completed with the optimizers' defaults. */
function scenarioOf(text) {
  const parsed = parseLoss(text);
  if (!parsed.ok) throw new Error(parsed.diagnostics[0].message);
  const draft = scenarioFromFile(text, parsed.loss.scenario);
  const runs = draft.runs.map((run) => ({ ...run, options: { ...OPTIMIZERS.find((o) => o.name === run.optimizer).defaults, ...run.options } }));
  return { loss: text, runs, steps: draft.steps, start: null, view: null };
}

function panel(text) {
  const document = vscode.editableDocument(text);
  vscode.setDocument(document);
  const state = { scenario: scenarioOf(text), loads: [] };
  const source = new SourceDocument(
    { engine: () => ({ optimizers: () => OPTIMIZERS }), documentScenario: async (d) => scenarioOf(d.getText()) },
    () => state.scenario,
    async (next) => {
      state.scenario = next;
      state.loads.push(next);
    },
  );
  source.follow(document);
  return { document, state, source };
}

const starter = starterLossText(NETWORK_STARTERS.find((s) => s.id === 'spiral')).replace('optimizer adam lr=0.01', 'optimizer adam lr=0.01  # mine');

test('a network control edits its line of the document in one edit, and the panel runs the file', async () => {
  const { document, state, source } = panel(starter);
  await source.editNetwork({ field: 'activation', value: 'tanh' });
  assert.equal(document.edits, 1);
  assert.deepEqual([document.lastReplacement.range.start.line, document.lastReplacement.range.end.line], [3, 4], 'the network line only');
  assert.equal(document.getText(), starter.replace('activation=relu', 'activation=tanh'));
  assert.equal(state.loads.length, 1);
  assert.equal(state.scenario.loss, document.getText());
  await new Promise((resolve) => setTimeout(resolve, 500)); // its own edit is not run a second time
  assert.equal(state.loads.length, 1);
  // Another data set: the data line and the network line (its widths and loss fitted), in one edit.
  await source.editNetwork({ field: 'dataset', value: 'moons' });
  assert.equal(document.edits, 2);
  assert.deepEqual([document.lastReplacement.range.start.line, document.lastReplacement.range.end.line], [2, 4]);
  assert.match(state.scenario.loss, /^data moons samples=300 noise=0\.05 test=0\.2 seed=1\nnetwork 2-16-16-2 activation=tanh loss=cross_entropy /m);
  source.dispose();
});

test('runs and steps from the page rewrite the optimizer and steps lines, only when they differ from the file', async () => {
  const { document, source } = panel(starter);
  await source.runsChanged(scenarioOf(starter));
  assert.equal(document.edits, 0, 'the same runs: the file is left as written');
  const runs = [{ optimizer: 'sgd', options: { ...OPTIMIZERS[0].defaults, lr: 0.05, momentum: 0.9 } }, { optimizer: 'adam', options: { ...OPTIMIZERS[1].defaults, lr: 0.003 } }];
  await source.runsChanged({ ...scenarioOf(starter), runs, steps: 400 });
  assert.equal(document.edits, 1);
  assert.match(document.getText(), /\noptimizer sgd lr=0\.05 momentum=0\.9\noptimizer adam lr=0\.003 {2}# mine\nstochastic batch=32 seed=1\nsteps = 400\n$/);
  assert.match(document.getText(), /^# Started as Spiral/);
  // A written optimizer's line names its .optim file by a path the run does not keep: the file is left alone.
  const written = { optimizer: 'optimizer lion\nlr = 1e-4\nupdate:\n  x -= lr * sign(g)', options: { lr: 0.001 } };
  await source.runsChanged({ ...scenarioOf(starter), runs: [written], steps: 400 });
  assert.equal(document.edits, 1);
  source.dispose();
});

test('a hand edit that parses re-runs the panel; one that does not leaves it', async () => {
  const { document, state, source } = panel(starter);
  vscode.typed(document, starter.replace('seed=1\noptimizer', 'seed=2\noptimizer'));
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(state.loads.length, 1);
  assert.match(state.scenario.loss, /batchnorm=false seed=2/);
  vscode.typed(document, `${starter}\nnetwork 2-x`);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(state.loads.length, 1);
  source.dispose();
});

test('without a document the scenario\'s own text is edited; a loss without a network line gets the reason', async () => {
  const { state, source } = panel(starter);
  source.follow(undefined);
  await source.editNetwork({ field: 'hidden', value: [4] });
  assert.match(state.scenario.loss, /^network 2-4-3 /m);
  state.scenario = { ...state.scenario, loss: 'f = x^2' };
  await assert.rejects(source.editNetwork({ field: 'seed', value: 3 }), /no network line/);
  source.dispose();
});
