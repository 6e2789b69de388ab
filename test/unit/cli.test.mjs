// The CLI runs what a .loss file says: every optimizer line from every start (runs), the file's domain
// (landscape), and a file's problems printed with their line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'optiscope-cli-'));
const engine = await createEngine();

function run(...args) {
  const { status, stdout, stderr } = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { status, stdout, stderr, json: status === 0 ? JSON.parse(stdout) : undefined };
}

function file(name, lines) {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

const twoByTwo = file('two.loss', [
  'f = (1 - x)^2 + 100*(y - x^2)^2',
  'domain x in [-2, 2], y in [-1, 3]',
  'start = (-1.5, 2), (1, -0.5)',
  'optimizer adam lr=0.05 label="Adam"',
  'optimizer sgd lr=1e-3 momentum=0.9',
  'schedule cosine T_max=20',
  'steps = 20',
]);

test('runs: every optimizer line from every start, each equal to the engine run of the same spec', async () => {
  const { status, json, stderr } = run('runs', '--loss', twoByTwo);
  assert.equal(status, 0, stderr);
  assert.deepEqual(json.runs.map((r) => [r.label, r.start]), [
    ['Adam', [-1.5, 2]], ['sgd', [-1.5, 2]], ['Adam', [1, -0.5]], ['sgd', [1, -0.5]],
  ]);
  const [expected] = await engine.runs({
    loss: 'f = (1 - x)^2 + 100*(y - x^2)^2', steps: 20,
    runs: [{ optimizer: 'sgd', options: { lr: 1e-3, momentum: 0.9 }, schedule: { type: 'cosine', T_max: 20 }, start: [1, -0.5] }],
  });
  const sgd = json.runs[3];
  assert.equal(sgd.trajectory.length, 21);
  assert.deepEqual(sgd.trajectory.at(-1), Array.from(expected.rows.subarray(20 * 4, 20 * 4 + 3)), 'the schedule line is applied');
  assert.equal(sgd.status, 'completed');
});

test('runs: --start and --steps override the file; a file without optimizer lines is refused', () => {
  const { json } = run('runs', '--loss', twoByTwo, '--start', '0,0', '--steps', '3');
  assert.deepEqual(json.runs.map((r) => [r.start, r.trajectory.length]), [[[0, 0], 4], [[0, 0], 4]]);
  const bare = run('runs', '--loss', file('bare.loss', ['f = x^2 + y^2', 'steps = 5']));
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /has no optimizer line/);
  assert.match(run('runs', '--loss', 'x^2 + y^2').stderr, /runs needs a FILE\.loss/);
});

test('trace says on stderr that it ran one of the file\'s runs', () => {
  const { status, stderr, json } = run('trace', '--loss', twoByTwo);
  assert.equal(status, 0);
  assert.equal(json.trajectory.length, 21);
  assert.match(stderr, /first optimizer from the first start of 4 runs/);
});

test('landscape takes the file\'s domain, or the built-in\'s, when --x and --y are missing', async () => {
  const fromFile = run('landscape', '--loss', twoByTwo, '--size', '5,4').json;
  assert.deepEqual([fromFile.x, fromFile.y, fromFile.values.length], [[-2, 2], [-1, 3], 20]);
  const beale = run('landscape', '--loss', 'beale').json;
  const { domain } = (await engine.losses()).find((l) => l.name === 'beale');
  assert.deepEqual([beale.x, beale.y, beale.size], [domain.x, domain.y, [64, 64]]);
  const direct = await engine.landscape({ loss: 'beale', x: domain.x, y: domain.y, size: [64, 64] });
  assert.deepEqual(beale.values, Array.from(direct.values));
});

test('a file\'s problems carry their line and column', () => {
  const typo = file('typo.loss', ['f = x^2 + y^2', 'start = (1, 1)', 'optimizer adma lr=0.1', 'steps = 5']);
  const { status, stderr } = run('trace', '--loss', typo);
  assert.equal(status, 2);
  assert.match(stderr, /typo\.loss:3:11: warning: Unknown optimizer 'adma'\. Did you mean 'adam'\?/);
  const broken = file('broken.loss', ['f = x^2 + sni(y)', 'optimizer adam', 'steps = 5']);
  const runs = run('runs', '--loss', broken);
  assert.equal(runs.status, 2);
  assert.match(runs.stderr, /line 1, column 11: Unknown name 'sni'/);
});

test('runs: a run with init_seed starts from that initialization, whatever the file\'s start line says', async () => {
  const net = 'data moons samples=20 seed=2\nnetwork 2-3-2 loss=cross_entropy seed=1';
  const path = file('seeds.loss', [...net.split('\n'), 'start = 0.1', 'optimizer sgd lr=0.1', 'optimizer sgd lr=0.1 init_seed=4', 'steps = 2']);
  const { status, json, stderr } = run('runs', '--loss', path);
  assert.equal(status, 0, stderr);
  const seeded = (await engine.lossInfo(net.replace('seed=1', 'seed=4'))).start;
  assert.deepEqual(json.runs.map((r) => r.start), [seeded.map(() => 0.1), seeded]);
});
