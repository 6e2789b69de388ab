// A network in code-server: New Network… on the spiral writes a starter .loss and opens the Playground beside it;
// each run's decision regions (from the engine) and the network's drawing replace the landscape; playing changes
// the regions; the two runs differ; a breakpoint pauses and the inspector lists the parameters by tensor; Compare shows
// each run's regions with the loss curves and the metrics; the network controls edit the file and a breakpoint over
// the test accuracy pauses. Screenshots per theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

/** What the network part of a page draws: per run its regions' pixels (a hash), step and points; the drawing's edges. */
function readNetwork(frame) {
  return frame.locator('body').evaluate(() => {
    const outputs = [...document.querySelectorAll('.network-output')].map((output) => {
      const canvas = output.querySelector('canvas');
      let painted = 0;
      let hash = 0;
      const colours = new Set();
      if (canvas && canvas.width > 0) {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4 * 7) {
          if (data[i + 3] > 0) painted++;
          colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
          hash = (Math.imul(hash, 31) + data[i] + 3 * data[i + 1] + 7 * data[i + 2] + 11 * data[i + 3]) | 0;
        }
      }
      return {
        painted,
        colours: colours.size,
        hash,
        step: output.dataset.step,
        drawn: output.dataset.drawnStep,
        samples: output.querySelectorAll('circle.network-sample').length,
        testSamples: output.querySelectorAll('circle.network-sample.test').length,
        curve: output.querySelector('path.network-curve')?.getAttribute('d') ?? '',
        title: output.querySelector('.chart-title')?.textContent ?? '',
      };
    });
    const text = (selector) => document.querySelector(selector)?.textContent ?? '';
    const edges = [...document.querySelectorAll('.network-edge')];
    return {
      view: document.body.dataset.view,
      outputs,
      landscapeHidden: document.querySelector('.landscape')?.hidden ?? true,
      units: document.querySelectorAll('.network-unit').length,
      edges: edges.length,
      edgeWeights: edges.slice(0, 20).map((e) => Number(e.getAttribute('data-weight'))),
      diagramTitle: text('.network-diagram .chart-title'),
      lossLines: [...document.querySelectorAll('.loss-lines path')].filter((p) => (p.getAttribute('d') ?? '').length > 0).length,
      step: text('.step-text'),
      banner: document.querySelector('.debug-banner')?.hidden === false ? text('.debug-banner-text') : '',
      inspector: text('.inspector h3'),
      tensors: [...document.querySelectorAll('.inspector-tensor summary')].map((s) => s.textContent),
      firstTensorRows: [...document.querySelectorAll('.inspector-tensor:first-of-type .inspector-row th')].map((th) => th.textContent),
      metricsRows: document.querySelectorAll('.metrics tbody tr').length,
      metricsHead: [...document.querySelectorAll('.metrics thead th')].map((th) => th.textContent),
      curves: Object.fromEntries(['loss', 'accuracy'].map((chart) => [chart, [...document.querySelectorAll(`.network-${chart}-chart path.curve`)].filter((p) => (p.getAttribute('d') ?? '').length > 20).map((p) => p.dataset.name)])),
      statsRows: document.querySelector('.layer-stats')?.dataset.rows ?? '',
      statsCurves: document.querySelectorAll('.layer-stats path.curve').length,
      histogramCounts: [...document.querySelectorAll('.weight-histogram')].map((h) => [...h.querySelectorAll('rect')].reduce((sum, r) => sum + Number(r.dataset.count), 0)),
      error: document.querySelector('.error')?.hidden === false ? text('.error') : '',
    };
  });
}

const painted = (s) => s.outputs.length === 2 && s.outputs.every((o) => o.painted > 100 && o.samples === 300);

describeWorkbench('network', (vscode) => {
  let frame;

  test('New Network… on the spiral: a starter file beside the Playground, decision regions per run, the network drawn', async () => {
    await vscode.pickAfterCommand('Optiscope: New Network…', 'Spiral', { label: true });
    frame = await vscode.webviewFrameOf('playground');
    const state = await until(() => readNetwork(frame), (s) => painted(s) && /step 1000 \/ 1000/.test(s.step), 'the regions of both runs');
    assert.equal(state.error, '');
    assert.equal(state.landscapeHidden, true, 'no 2-D landscape for a network');
    // 2-16-16-3: 2 + 12 + 12 + 3 units drawn (12 per layer at most), 2*12 + 12*12 + 12*3 edges.
    assert.equal(state.units, 2 + 12 + 12 + 3);
    assert.equal(state.edges, 24 + 144 + 36);
    assert.ok(state.edgeWeights.every(Number.isFinite));
    assert.equal(state.lossLines, 2, 'the loss curve of each run');
    assert.ok(state.outputs.every((o) => o.testSamples > 0 && o.testSamples < o.samples), 'the test split drawn apart from the training samples');
    // The train and test curves of both runs, and the picked run's layer statistics with a histogram per weight matrix.
    const charts = await until(() => readNetwork(frame), (s) => s.curves.loss.length === 4 && s.curves.accuracy.length === 4 && s.histogramCounts.length === 3 && s.statsCurves === 12 && s.statsRows.endsWith(',1000'), 'the network charts');
    assert.deepEqual(charts.curves.loss.map((name) => name.split(' ').at(-1)), ['train', 'test', 'train', 'test']);
    assert.deepEqual(charts.histogramCounts, [32, 256, 48]);
    // Rows over the run (a power-of-two stride: 0, 128, ..., 896) and the last one, shown.
    assert.deepEqual(charts.statsRows.split(',').map(Number), [0, 128, 256, 384, 512, 640, 768, 896, 1000]);
    await frame.locator('.layer-stats').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-layer-stats');
    await frame.locator('.network-panel').evaluate((panel) => panel.scrollTo(0, 0));
    assert.ok(state.outputs.every((o) => o.colours >= 3), 'three classes: three colours at least');
    const editor = vscode.page.locator('.tab', { hasText: 'Untitled' });
    assert.ok(await editor.count() > 0, 'the starter file is open');
    const text = await vscode.page.locator('.monaco-editor .view-lines').first().textContent();
    assert.match(text, /#\sStarted\sas\sSpiral:[\s\S]*a\s2-16-16-3\srelu\snet/);
  });

  test('scrubbing and Play change the decision regions; the two runs differ', async () => {
    await frame.locator('input.scrubber').fill('0');
    const start = await until(() => readNetwork(frame), (s) => painted(s) && s.outputs.every((o) => o.drawn === '0') && /^step 0 \//.test(s.step), 'step 0');
    assert.equal(start.outputs[0].hash, start.outputs[1].hash, 'the same network and initialization for both runs at step 0');
    await frame.locator('input.scrubber').fill('1000');
    const end = await until(
      () => readNetwork(frame),
      (s) => s.outputs.every((o) => o.drawn === '1000') && s.outputs.every((o, i) => o.hash !== start.outputs[i].hash),
      'the regions at step 1000',
    );
    assert.notEqual(end.outputs[0].hash, end.outputs[1].hash, 'SGD and Adam end at different networks');
    assert.notDeepEqual(end.edgeWeights, start.edgeWeights, 'the drawing shows the weights at the step');

    await frame.locator('input.scrubber').fill('0');
    await until(() => readNetwork(frame), (s) => s.outputs.every((o) => o.drawn === '0'), 'back at step 0');
    await frame.locator('vscode-button.play').click();
    const seen = new Set();
    await until(async () => {
      const s = await readNetwork(frame);
      if (s.outputs[0]?.painted > 0) seen.add(s.outputs[0].hash);
      return s;
    }, () => seen.size >= 4, 'the regions to change while playing', 60_000);
    await frame.locator('vscode-button.play').click();
    await vscode.screenshot('network-playing');
  });

  test('a breakpoint pauses; the inspector lists parameters and gradients by tensor, without a Hessian', async () => {
    // The Playground shares the window with the file: its controls are in a drawer.
    const toggle = frame.locator('vscode-button.controls-toggle');
    if ((await toggle.textContent()).includes('Show')) await toggle.click();
    await frame.locator('vscode-textfield.bp-condition input').fill('step == 200');
    await frame.locator('vscode-button.bp-add').click();
    const state = await until(() => readNetwork(frame), (s) => s.banner.startsWith('Paused at step 200') && s.inspector.endsWith('at step 200') && s.tensors.length > 0, 'the pause and the inspector');
    assert.deepEqual(state.tensors, ['W1 · 32 parameters', 'b1 · 16 parameters', 'W2 · 256 parameters', 'b2 · 16 parameters', 'W3 · 48 parameters', 'b3 · 3 parameters']);
    assert.equal(state.firstTensorRows[0], 'W1[1,1]');
    assert.equal(state.firstTensorRows.length, 32);
    assert.match(state.inspector, /at step 200/);
    const columns = await frame.locator('.inspector-tensor').first().locator('th.inspector-column').allTextContents();
    assert.deepEqual(columns.slice(0, 2), ['value', 'grad']);
    assert.equal(await frame.locator('.inspector-row th', { hasText: /λ1/ }).count(), 0, 'no Hessian');
    await until(() => readNetwork(frame), (s) => s.outputs.every((o) => o.drawn === '200'), 'the regions at the paused step');
    await frame.locator('.inspector').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-inspector');
    await frame.locator('vscode-button.debug-stop').click();
    await until(() => readNetwork(frame), (s) => !s.banner.startsWith('Paused'), 'the session to stop');
  });

  test('Compare: each run its regions, the loss curves, the train and test curves and the metrics table', async () => {
    await frame.locator('vscode-button.compare').click();
    const compare = await vscode.webviewFrameOf('compare');
    const state = await until(
      () => readNetwork(compare),
      (s) => painted(s) && s.metricsRows === 2 && s.lossLines === 2 && s.curves.loss.length === 4 && s.curves.accuracy.length === 4,
      'Compare for a network',
    );
    assert.deepEqual(state.curves.loss.map((name) => name.split(' ').at(-1)), ['train', 'test', 'train', 'test']);
    assert.equal(state.error, '');
    assert.deepEqual(state.metricsHead.slice(-2), ['Test loss', 'Test accuracy']);
    assert.match(await compare.locator('.compare-header').textContent(), /start \([^)]*… 371 parameters\)/, 'a network\'s start in short');
    // Each part at its own height, none clipped or covering another: the page scrolls instead.
    const layout = await compare.locator('body').evaluate(() => {
      const clipped = (element) => element.scrollHeight > element.clientHeight + 1;
      const table = document.querySelector('.metrics-area');
      return {
        clipped: [table, document.querySelector('.network-panel'), document.querySelector('.compare-bottom')].map(clipped),
        tableBottom: table.getBoundingClientRect().bottom,
        curvesTop: document.querySelector('.compare-bottom .network-charts').getBoundingClientRect().top,
      };
    });
    assert.deepEqual(layout.clipped, [false, false, false], 'the table, the outputs and the charts each whole');
    assert.ok(layout.curvesTop >= layout.tableBottom - 1, `the train and test curves below the table (${layout.curvesTop} < ${layout.tableBottom})`);
    await vscode.screenshot('network-compare');
  });

  /** The starter file's text as the editor shows it (its first editor). */
  const editorText = async () => (await vscode.page.locator('.monaco-editor .view-lines').first().textContent()).replace(/\u00a0/g, ' ');

  /** Sets a network control's select as a user's pick does. */
  const pick = (name, value) => frame.locator(`vscode-single-select.net-${name}`).evaluate((select, v) => {
    select.value = v;
    select.dispatchEvent(new Event('change'));
  }, value);

  test('the network controls edit the .loss file\'s lines (undoable), and the Playground re-runs with them', async () => {
    // Compare opened in the Playground's group, over it: the Playground's tab brings it back.
    await vscode.page.locator('.tab', { hasText: 'Playground:' }).first().click();
    frame = await vscode.webviewFrameOf('playground');
    const toggle = frame.locator('vscode-button.controls-toggle');
    if ((await toggle.textContent()).includes('Show')) await toggle.click();
    await frame.locator('.network-controls').scrollIntoViewIfNeeded();
    assert.equal(await frame.locator('vscode-textfield.net-hidden').evaluate((f) => f.value), '16-16');
    await pick('dataset', 'moons');
    const moons = await until(editorText, (t) => /data moons samples=300/.test(t) && /network 2-16-16-2 activation=relu loss=cross_entropy/.test(t), 'the data and network lines for moons');
    assert.match(moons, /# Started as Spiral: 3 arms/, 'the comments stay');
    // (Monaco's line elements need not be in the lines' order: each line is looked for alone.)
    for (const line of ['optimizer sgd lr=0.1 momentum=0.9', 'optimizer adam lr=0.01', 'stochastic batch=32 seed=1', 'steps = 1000']) assert.ok(moons.includes(line), `the line ${line} stays`);
    await until(() => readNetwork(frame), (s) => s.units === 2 + 12 + 12 + 2 && painted(s) && /step 1000 \/ 1000/.test(s.step), 'the moons network trained');

    // A breakpoint over the test split's accuracy: the first run to pass 0.9 pauses the session, with the banner.
    await frame.locator('button.bp-remove').first().click(); // step == 200, from the test before
    await frame.locator('vscode-textfield.bp-condition input').fill('test_accuracy > 0.9');
    await frame.locator('vscode-button.bp-add').click();
    // The inspector of the spiral's pause (the test before) stays until the new one arrives: wait for the moons net's.
    const moonsTensors = ['W1 · 32 parameters', 'b1 · 16 parameters', 'W2 · 256 parameters', 'b2 · 16 parameters', 'W3 · 32 parameters', 'b3 · 2 parameters'];
    const paused = await until(
      () => readNetwork(frame),
      (s) => /^Paused at step \d+: test_accuracy > 0.9/.test(s.banner) && JSON.stringify(s.tensors) === JSON.stringify(moonsTensors),
      'the pause at test_accuracy > 0.9, the inspector listing the moons network by tensor',
    );
    const step = Number(/^Paused at step (\d+)/.exec(paused.banner)[1]);
    assert.ok(step > 0 && step < 1000, paused.banner);
    await vscode.screenshot('network-test-accuracy');
    await frame.locator('vscode-button.debug-stop').click();
    await frame.locator('button.bp-remove').first().click();
    await until(() => readNetwork(frame), (s) => !s.banner.startsWith('Paused'), 'the session to stop');

    const hidden = frame.locator('vscode-textfield.net-hidden input');
    await hidden.fill('8-8');
    await hidden.press('Enter');
    await until(editorText, (t) => /network 2-8-8-2 activation=relu/.test(t), 'the hidden widths in the file');
    await until(() => readNetwork(frame), (s) => s.units === 2 + 8 + 8 + 2 && painted(s), 'the 2-8-8-2 network drawn');
    // A batch size being typed survives the snapshot of another control's edit (here the activation's), then goes in.
    const batch = frame.locator('vscode-textfield.net-batch input');
    await batch.fill('16');
    await pick('activation', 'tanh');
    await until(editorText, (t) => /network 2-8-8-2 activation=tanh/.test(t), 'the activation in the file');
    await until(() => frame.locator('.loss-title').textContent(), (title) => /tanh network/.test(title), "the activation's snapshot in the panel");
    assert.equal(await batch.inputValue(), '16', 'the text being typed stays');
    await batch.press('Enter');
    await until(editorText, (t) => /stochastic batch=16 seed=1/.test(t), 'the batch size in the file');
    await frame.locator('.network-controls').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-controls');

    // Each control's change is one edit of the document: undo takes it back, and the Playground follows the file.
    // (A click on a line with text: the middle of the editor may be a CodeLens, which opens a panel.)
    await vscode.page.locator('.monaco-editor .view-line', { hasText: 'steps' }).first().click();
    await vscode.page.keyboard.press('Control+Z');
    await vscode.page.keyboard.press('Control+Z');
    await until(editorText, (t) => /network 2-8-8-2 activation=relu/.test(t) && /stochastic batch=32 seed=1/.test(t), 'the two edits undone');
    await until(() => frame.locator('vscode-single-select.net-activation').evaluate((s) => s.value), (v) => v === 'relu', 'the Playground following the file');
  });

  test('New Network… on the 1-D curve: each run\'s fitted curve over the samples, changing over steps', async () => {
    await vscode.pickAfterCommand('Optiscope: New Network…', '1-D regression curve', { label: true });
    const playground = await vscode.webviewFrameOf('playground');
    const fitted = (s) => s.outputs.length === 2 && s.outputs.every((o) => o.samples === 60 && o.curve.length > 200 && o.drawn === '1000');
    const end = await until(() => readNetwork(playground), fitted, 'the fitted curves at the last step');
    assert.equal(end.units, 1 + 12 + 1);
    await playground.locator('input.scrubber').fill('0');
    const start = await until(() => readNetwork(playground), (s) => s.outputs.every((o) => o.drawn === '0' && o.curve.length > 200), 'the curves at step 0');
    assert.equal(start.outputs[0].curve, start.outputs[1].curve, 'the same initialization');
    assert.ok(end.outputs.every((o, i) => o.curve !== start.outputs[i].curve), 'training moved the curves');
    await playground.locator('input.scrubber').fill('1000');
    await until(() => readNetwork(playground), fitted, 'the last step again');
    // The controls' drawer (opened for the breakpoint) closed: the curves in sight.
    const close = playground.locator('vscode-button.controls-close');
    if (await close.isVisible()) await close.click();
    await playground.locator('body').evaluate(() => window.scrollTo(0, 0)); // the inspector was scrolled into view
    await vscode.screenshot('network-curve');
  });
});
