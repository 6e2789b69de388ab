// The status-bar item while the engine computes: shown with the number of runs, hidden when all work is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { RunningStatus } = await loadTs('src/panels/status.ts');

function fakeItem() {
  return { text: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; } };
}

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('shows the runs in flight, adds overlapping work, hides when the last settles', async () => {
  const item = fakeItem();
  const status = new RunningStatus(item);
  assert.equal(item.visible, false);
  const a = deferred();
  const b = deferred();
  const first = status.track(5, a.promise);
  assert.equal(item.visible, true);
  assert.equal(item.text, '$(sync~spin) Optiscope: running 5 runs…');
  const second = status.track(1, b.promise);
  assert.equal(item.text, '$(sync~spin) Optiscope: running 6 runs…');
  a.resolve('traces');
  assert.equal(await first, 'traces');
  assert.equal(item.visible, true);
  assert.equal(item.text, '$(sync~spin) Optiscope: running 1 run…');
  b.reject(new Error('Cancelled'));
  await assert.rejects(second, /Cancelled/);
  assert.equal(item.visible, false);
  assert.equal(status.count, 0);
});
