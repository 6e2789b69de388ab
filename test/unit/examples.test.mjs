// The example .loss files shipped in examples/ (Open Examples, the walkthrough, scripts/start.sh): each parses,
// with its data files, and every run it declares does what its comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { parseLoss, dataFiles, inlineDataFiles } = await loadTs('src/loss/index.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');

const folder = join(import.meta.dirname, '..', '..', 'examples');
const examples = readdirSync(folder).filter((name) => name.endsWith('.loss'));
const engine = await createEngine();

/** Runs every optimizer line of an example from its start, as the Playground does. */
async function runExample(name) {
  const source = readFileSync(join(folder, name), 'utf8');
  const files = Object.fromEntries(dataFiles(source).map((file) => [file, readFileSync(join(folder, file), 'utf8')]));
  const text = inlineDataFiles(source, files);
  const parsed = parseLoss(source, files);
  assert.ok(parsed.ok, parsed.ok ? '' : `${name}: ${parsed.diagnostics[0].message}`);
  assert.deepEqual(parsed.loss.warnings, [], `${name} has warnings`);
  const launch = scenarioFromFile(text, parsed.loss.scenario);
  const optimizerLines = source.split('\n').filter((line) => /^optimizer\s/.test(line)).length;
  assert.equal(launch.runs.length, optimizerLines, `${name}: one run per optimizer line`);
  const runs = await engine.runs({
    loss: launch.loss,
    lossParams: launch.lossParams,
    steps: launch.steps,
    runs: launch.runs.map((run) => ({ ...run, ...(launch.start ? { start: launch.start } : {}) })),
  });
  return runs.map((run) => {
    const width = run.rows.length / run.rowCount;
    const row = (i) => Array.from(run.rows.subarray(i * width, (i + 1) * width));
    return { label: run.label, status: run.status, first: row(0), last: row(run.rowCount - 1), dim: run.dim };
  });
}

test('there are examples for the walkthrough: Rosenbrock, Beale, the saddle, a CSV fit and Reddi et al.', () => {
  assert.deepEqual(examples.sort(), ['beale.loss', 'line-fit.loss', 'reddi.loss', 'rosenbrock.loss', 'saddle.loss']);
});

for (const name of examples.filter((n) => n !== 'reddi.loss')) {
  test(`${name}: every run lowers the loss from the start without diverging`, async () => {
    for (const run of await runExample(name)) {
      assert.notEqual(run.status, 'diverged', `${name}: ${run.label}`);
      assert.ok(run.last[run.dim] < run.first[run.dim], `${name}: ${run.label} ends at ${run.last[run.dim]}, started at ${run.first[run.dim]}`);
    }
  });
}

test('rosenbrock.loss: Newton reaches (1, 1) and gradient descent does not', async () => {
  const runs = await runExample('rosenbrock.loss');
  const at = (label) => runs.find((r) => r.label.startsWith(label)).last;
  const newton = at('newton');
  assert.ok(Math.hypot(newton[0] - 1, newton[1] - 1) < 1e-6, `newton ends at ${newton}`);
  const gd = runs[0].last;
  assert.ok(Math.hypot(gd[0] - 1, gd[1] - 1) > 0.1, `gd ends at ${gd}`);
});

test('reddi.loss: Adam ends at the worst point +1, AMSGrad near the best point -1', async () => {
  const [adam, amsgrad] = await runExample('reddi.loss');
  assert.equal(adam.label, 'Adam');
  assert.equal(adam.last[0], 1);
  assert.ok(amsgrad.last[0] < -0.9, `AMSGrad ends at ${amsgrad.last[0]}`);
});
