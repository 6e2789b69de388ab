// Every golden PyTorch case whose loss is a built-in, through dist/engine.js and dist/cli.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assertTrajectoryMatches } from './golden-helpers.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const golden = JSON.parse(readFileSync(new URL('../fixtures/pytorch-optimizers.json', import.meta.url), 'utf8'));
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

const engine = await createEngine();
const builtinNames = new Set(engine.losses().map((l) => l.name));

test('the fixture is the torch 2.13 float64 golden file', () => {
  assert.match(golden.source, /torch 2\.13/);
  assert.ok(golden.cases.length >= 80);
});

for (const c of golden.cases) {
  test(`golden ${c.name} via engine.trace`, { skip: !builtinNames.has(c.function) && 'not a built-in' }, async () => {
    const result = await engine.trace({ loss: c.function, start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps });
    assert.equal(result.status, 'completed');
    assertTrajectoryMatches(result.trajectory, c.trajectory, c.name);
  });
}

for (const c of golden.cases) {
  test(`golden ${c.name} via its expression`, async () => {
    const result = await engine.trace({ loss: c.expression, start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps });
    assert.equal(result.status, 'completed');
    assertTrajectoryMatches(result.trajectory, c.trajectory, `${c.name} (expression)`);
  });
}

test('every golden expression through the CLI', () => {
  for (const c of golden.cases) {
    const out = execFileSync(process.execPath, [cli, 'trace', '--loss', c.expression, '--start', c.start.join(','),
      '--optimizer', c.optimizer, '--options', JSON.stringify(c.options), '--steps', String(c.steps)], { encoding: 'utf8' });
    assertTrajectoryMatches(JSON.parse(out).trajectory, c.trajectory, `${c.name} (cli, expression)`);
  }
});

test('golden cases via the CLI', () => {
  for (const c of golden.cases.filter((c, i) => builtinNames.has(c.function) && i % 7 === 0)) {
    const out = execFileSync(process.execPath, [cli, 'trace', '--loss', c.function, '--start', c.start.join(','),
      '--optimizer', c.optimizer, '--options', JSON.stringify(c.options), '--steps', String(c.steps)], { encoding: 'utf8' });
    const result = JSON.parse(out);
    assert.equal(result.status, 'completed');
    assertTrajectoryMatches(result.trajectory, c.trajectory, `${c.name} (cli)`);
  }
});
