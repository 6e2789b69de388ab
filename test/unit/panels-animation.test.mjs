// Export Animation's frame plan (which steps become frames) and its checks on size, fps and step range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadTs } from './panels-bundle.mjs';

const { planFrames, parseStepRange, settingsProblem, describePlan } = await loadTs('src/shared/animation.ts');

test('every step of a short range is a frame', () => {
  assert.deepEqual(planFrames(0, 5, 150), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(planFrames(10, 12, 150), [10, 11, 12]);
  assert.deepEqual(planFrames(7, 7, 150), [7]);
});

test('a long range is sampled evenly to the most frames, first and last step included', () => {
  assert.deepEqual(planFrames(0, 300, 4), [0, 100, 200, 300]);
  assert.deepEqual(planFrames(0, 10, 3), [0, 5, 10]);
  // 300 steps to 150 frames: 301 / 150 is no whole spacing, the steps are rounded.
  const steps = planFrames(0, 300, 150);
  assert.equal(steps.length, 150);
  assert.deepEqual([steps[0], steps[1], steps[2], steps[149]], [0, 2, 4, 300]);
  assert.deepEqual(planFrames(5, 300, 1), [5]);
});

test('the plan: min(range, frames) increasing steps from `from` to `to`, never a step outside', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 1000 }), (a, b, maxFrames) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const steps = planFrames(from, to, maxFrames);
      assert.equal(steps.length, Math.min(to - from + 1, maxFrames));
      assert.equal(steps[0], from);
      if (steps.length > 1) assert.equal(steps[steps.length - 1], to);
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `steps ${steps[i - 1]}, ${steps[i]}`);
      for (const step of steps) assert.ok(Number.isInteger(step) && step >= from && step <= to);
      // Evenly spaced: gaps differ by at most one step.
      const gaps = steps.slice(1).map((s, i) => s - steps[i]);
      if (gaps.length > 0) assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `gaps ${gaps}`);
    }),
  );
});

test('step ranges as typed', () => {
  assert.deepEqual(parseStepRange('0-300'), [0, 300]);
  assert.deepEqual(parseStepRange(' 10 – 50 '), [10, 50]);
  assert.deepEqual(parseStepRange('10 to 50'), [10, 50]);
  assert.deepEqual(parseStepRange('40'), [40, 40]);
  assert.equal(parseStepRange(''), undefined);
  assert.equal(parseStepRange('-5-10'), undefined);
  assert.equal(parseStepRange('a-b'), undefined);
});

test('bad settings get a message that names the setting and the allowed values', () => {
  const good = { format: 'gif', fps: 15, from: 0, to: 300, maxFrames: 150 };
  assert.equal(settingsProblem(good, 300), undefined);
  assert.equal(settingsProblem({ ...good, width: 640 }, 300), undefined);
  assert.match(settingsProblem({ ...good, width: 0 }, 300), /width must be a whole number of pixels from 16 to 1920 \(got 0\)/);
  assert.match(settingsProblem({ ...good, width: 12.5 }, 300), /width/);
  assert.match(settingsProblem({ ...good, fps: 0 }, 300), /frame rate must be from 1 to 50 .*got 0/);
  assert.match(settingsProblem({ ...good, fps: 120 }, 300), /frame rate/);
  assert.match(settingsProblem({ ...good, fps: NaN }, 300), /frame rate/);
  assert.match(settingsProblem({ ...good, from: 50, to: 10 }, 300), /50–10 is empty/);
  assert.match(settingsProblem({ ...good, to: 400 }, 300), /outside the run's steps 0–300/);
  assert.match(settingsProblem({ ...good, maxFrames: 0 }, 300), /number of frames/);
});

test('the plan described for the progress notification', () => {
  assert.equal(describePlan(planFrames(0, 300, 150), 15), '150 frames of steps 0–300 at 15 fps (10.0 s)');
  assert.equal(describePlan([4], 10), '1 frame of step 4 at 10 fps (0.1 s)');
});
