// A network's loss along a line in code-server: New Network… on the spiral (two runs); beside the landscape, the train
// and test loss along run 1's start -> end line (a quarter past both ends, t = 0 and t = 1 marked, the engine's
// barriers in the caption); picking the pair "run 1's end -> run 2's end" draws another profile; run 2's init seed
// (init_seed=2, written to its optimizer line) gives two seeds' ends on that line. Screenshots per theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

function readLine(frame) {
  return frame.locator('body').evaluate(() => {
    const panel = document.querySelector('.network-line');
    const d = (selector) => panel?.querySelector(selector)?.getAttribute('d') ?? '';
    // A d3 line: M x,y then L x,y per further point.
    const points = (path) => (path ? path.split(/[ML]/).filter((s) => s.length > 0).map((s) => s.split(',').map(Number)) : []);
    const marks = [...(panel?.querySelectorAll('line.path-mark') ?? [])].map((m) => ({ t: Number(m.dataset.t), x: Number(m.getAttribute('x1')) }));
    return {
      shown: panel !== null && !panel.hidden,
      options: [...(panel?.querySelectorAll('vscode-option') ?? [])].map((o) => `${o.value}|${o.textContent}`),
      train: points(d('path.path-train')),
      test: points(d('path.path-test')),
      marks,
      markLabels: [...(panel?.querySelectorAll('.path-mark-label') ?? [])].map((t) => t.textContent),
      legend: panel?.querySelector('.path-legend text')?.textContent ?? '',
      caption: panel?.querySelector('.network-line-caption')?.textContent ?? '',
      note: panel?.querySelector('.network-line-note')?.textContent ?? '',
      error: document.querySelector('.error')?.hidden === false ? document.querySelector('.error').textContent : '',
    };
  });
}

const drawn = (s) => s.shown && s.train.length === 61 && s.test.length === 61 && /train barrier/.test(s.caption);

describeWorkbench('network-line', (vscode) => {
  let frame;
  let first;
  let ends;

  test('run 1\'s start -> end: train and test drawn over t in [-0.25, 1.25], the ends marked, the barriers captioned', async () => {
    await vscode.pickAfterCommand('Optiscope: New Network…', 'Spiral', { label: true });
    frame = await vscode.webviewFrameOf('playground');
    const state = await until(() => readLine(frame), drawn, 'the loss along run 1\'s line', 120_000);
    first = state;
    assert.equal(state.error, '');
    assert.deepEqual(state.options.map((o) => o.split('|')[0]), ['run-0', 'run-1', 'ends-0-1'], state.options.join('; '));
    assert.match(state.options[2], /end → .*end/);
    assert.ok(state.train.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) && state.test.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    // Starting at the initialization, ending trained: the end's loss is lower (SVG y grows downwards).
    assert.ok(state.train[50][1] > state.train[10][1], `train at t=1 below t=0: ${state.train[10]} ${state.train[50]}`);
    // t = 0 and t = 1 marked at a sixth and five sixths of the axis (t from -0.25 to 1.25), on the 11th and 51st points.
    assert.deepEqual(state.marks.map((m) => m.t), [0, 1]);
    const [x0, x1] = state.marks.map((m) => m.x);
    const span = state.train[60][0] - state.train[0][0];
    assert.ok(Math.abs((x0 - state.train[0][0]) / span - 1 / 6) < 1e-5 && Math.abs((x1 - state.train[0][0]) / span - 5 / 6) < 1e-5, `marks at ${x0}, ${x1} of ${span}`);
    // (d3 writes a path's coordinates to 3 decimals)
    assert.ok(Math.abs(state.train[10][0] - x0) < 1e-3 && Math.abs(state.train[50][0] - x1) < 1e-3, `points ${state.train[10][0]}, ${state.train[50][0]}; marks ${x0}, ${x1}`);
    assert.deepEqual(state.markLabels, ['t=0 start', 't=1 end']);
    assert.match(state.legend, /: start → end$/);
    assert.match(state.caption, /train barrier [\d.e+-]+, test barrier [\d.e+-]+ .* train loss [\d.e+-]+ at t=0, [\d.e+-]+ at t=1/);
    assert.match(state.note, /unless their optimizer line says init_seed=n/);
    await frame.locator('.network-line').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-line-start-end');
  });

  test('the pair run 1\'s end -> run 2\'s end draws another profile', async () => {
    await frame.locator('vscode-single-select.network-line-kind').evaluate((select) => {
      select.value = 'ends-0-1';
      select.dispatchEvent(new Event('change'));
    });
    const state = await until(() => readLine(frame), (s) => drawn(s) && / → .*'s end/.test(s.legend), 'the end -> end line', 120_000);
    assert.equal(state.error, '');
    assert.notDeepEqual(state.train, first.train, 'another train profile');
    assert.notDeepEqual(state.test, first.test, 'another test profile');
    assert.notEqual(state.caption, first.caption);
    assert.deepEqual(state.markLabels, ['t=0', 't=1']);
    // Every number of the caption is there (an end not found would read '?').
    assert.ok(state.caption !== '' && !/\?/.test(state.caption), state.caption);
    ends = state;
    await frame.locator('.network-line').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-line-ends');
  });

  test('run 2\'s init seed (its Stochastic section): init_seed=2 on its optimizer line, its label, and another end -> end line', async () => {
    const editorText = async () => (await vscode.page.locator('.monaco-editor .view-lines').first().textContent()).replace(/\u00a0/g, ' ');
    const toggle = frame.locator('vscode-button.controls-toggle');
    if ((await toggle.textContent()).includes('Show')) await toggle.click();
    const stochastic = frame.locator('.run').nth(1).locator('vscode-collapsible.stochastic');
    await stochastic.scrollIntoViewIfNeeded();
    await stochastic.click();
    const field = stochastic.locator('vscode-textfield.option-init-seed input');
    assert.equal(await field.inputValue(), '', 'no init seed: the network line\'s');
    const batch = stochastic.locator('vscode-textfield.option-batch-size input');
    assert.equal(await batch.inputValue(), '32', 'the batch size of the file\'s stochastic line, which the run takes');
    const summary = () => stochastic.evaluate((section) => section.description);
    assert.equal(await summary(), 'B=32, seed 1');
    await field.fill('2');
    await until(() => stochastic.getAttribute('description'), (summary) => /init seed 2/.test(summary), "the section's summary");
    await until(editorText, (t) => /optimizer adam lr=0\.01 init_seed=2/.test(t), 'init_seed=2 on the second optimizer line');
    const state = await until(
      () => readLine(frame),
      (s) => drawn(s) && s.options.some((o) => /init_seed=2/.test(o)) && / → .*'s end/.test(s.legend) && s.caption !== ends.caption,
      'the end -> end line between two initialization seeds', 120_000,
    );
    assert.equal(state.error, '');
    assert.notDeepEqual(state.train, ends.train, 'another train profile: run 2 started elsewhere');
    await frame.locator('.network-line').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-line-init-seeds');

    // Batch size 0 (the full batch) overrides the file's batch=32 for this run alone; 32 again takes the override back.
    await batch.fill('0');
    await until(editorText, (t) => /optimizer adam lr=0\.01 batch=0 init_seed=2/.test(t) && /stochastic batch=32 seed=1/.test(t), 'batch=0 on the second optimizer line');
    assert.equal(await summary(), 'seed 1, init seed 2');
    await batch.fill('32');
    await until(editorText, (t) => /optimizer adam lr=0\.01 init_seed=2/.test(t), 'the override taken back');
  });
});
