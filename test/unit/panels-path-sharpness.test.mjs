// The path lessons' sharpness at each trained end: pathStudyData carries the engine's networkSharpness at nets A and B
// (trained here again as the study trains them) and says them in its notes, which the path chart shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { pathStudyData } = await loadTs('src/panels/pathStudy.ts');
const { LESSONS } = await loadTs('src/shared/lessons.ts');
const { parseLoss } = await loadTs('src/loss/index.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { withNetworkOptions } = await loadTs('src/shared/networkEdits.ts');

test('the permutation lesson\'s study: the sharpness at A and B is the engine\'s at the trained ends, and its notes say it', async () => {
  const lesson = LESSONS.find((l) => l.id === 'permutation-symmetry');
  const parsed = parseLoss(lesson.source);
  assert.ok(parsed.ok);
  const scenario = { ...scenarioFromFile(lesson.source, parsed.loss.scenario), lesson: lesson.id };
  const data = await pathStudyData(engine, scenario);
  const { loss } = scenario;
  const info = await engine.lossInfo(loss);
  const startB = (await engine.lossInfo(withNetworkOptions(loss, { seed: lesson.paths.seed }))).start;
  const steps = Math.max(1, scenario.steps);
  const traces = await engine.runs({ loss, steps, recordEvery: steps, runs: [{ ...scenario.runs[0], start: info.start }, { ...scenario.runs[0], start: startB }] });
  const ends = traces.map((t) => Array.from(t.rows.subarray((t.rowCount - 1) * (t.dim + 2), (t.rowCount - 1) * (t.dim + 2) + t.dim)));
  const [a, b] = await Promise.all(ends.map((center) => engine.networkSharpness({ loss, center, radius: 0.05, samples: 32, seed: 1 })));
  assert.deepEqual(data.sharpness, { a, b });
  assert.ok(a.topEigenvalue > 0 && b.topEigenvalue > 0, `${a.topEigenvalue}, ${b.topEigenvalue}`);
  assert.equal(a.loss, data.profiles[1].train[0], 'A is the start of the A → B line');
  const note = data.notes.find((n) => n.startsWith('Sharpness'));
  assert.ok(note, data.notes.join('\n'));
  assert.ok(note.includes(a.topEigenvalue.toPrecision(3)) && note.includes(b.topEigenvalue.toPrecision(3)), note);
  console.log(`# ${note}`);
});
