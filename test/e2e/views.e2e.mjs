// The Playground's extra views in code-server: the gradient-norm chart, the step arrows and the gradient field,
// the 3-D surface (toggle, drag, zoom, reset, restored after a reload), and comparing five learning rates as
// five landscapes (with arrows and the field per cell); asserts on SVG paths, canvas pixels and captions, screenshots per theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

const TIMEOUT = 60_000;

/** The gradient-norm chart's lines and axes, the arrows and field over the landscape, the step. */
function readViews(frame) {
  return frame.locator('body').evaluate(() => {
    const chart = document.querySelector('.grad-norm-chart');
    const lines = [...(chart?.querySelectorAll('.grad-norm-lines path') ?? [])].map((p) => {
      const box = p.getBBox();
      return { d: (p.getAttribute('d') ?? '').length, x0: box.x, x1: box.x + box.width, y0: box.y, y1: box.y + box.height };
    });
    const xDomain = chart?.querySelector('.axis-x path.domain')?.getBBox();
    const yDomain = chart?.querySelector('.axis-y path.domain')?.getBBox();
    const yLabels = [...(chart?.querySelectorAll('.axis-y .tick text') ?? [])].map((t) => t.textContent).filter((t) => t);
    const heads = [...document.querySelectorAll('.landscape .markers circle.head')].map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
    const arrows = [...document.querySelectorAll('.step-arrow')].map((p) => {
      const start = /^M([-\d.e]+),([-\d.e]+)/.exec(p.getAttribute('d') ?? '');
      return { kind: p.classList.contains('update') ? 'update' : 'descent', run: Number(p.dataset.run), from: start ? [Number(start[1]), Number(start[2])] : null };
    });
    return {
      lines,
      chartWidth: xDomain?.width ?? 0,
      chartHeight: yDomain?.height ?? 0,
      yLabels,
      heads,
      arrows,
      field: document.querySelectorAll('.gradient-field path').length,
      step: document.querySelector('.step-text')?.textContent ?? '',
      error: document.querySelector('.error')?.hidden === false ? document.querySelector('.error').textContent : '',
    };
  });
}

/** The 3-D canvas: visible or not, a fingerprint of all its pixels, and (sampled) its colours and painted pixels. */
function readSurface(frame) {
  return frame.locator('body').evaluate(() => {
    const surface = document.querySelector('.surface3d:not(.network-surface)');
    const canvas = surface?.querySelector('canvas');
    if (!surface || surface.hidden || !canvas || canvas.width === 0) return { visible: false, colours: 0, hash: 0, painted: 0 };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    let hash = 0;
    const background = [data[0], data[1], data[2]];
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      hash = (hash * 31 + rgb) | 0;
      if (i % (4 * 31) !== 0) continue;
      colours.add(rgb);
      if (data[i] !== background[0] || data[i + 1] !== background[1] || data[i + 2] !== background[2]) painted++;
    }
    return { visible: true, colours: colours.size, hash, painted };
  });
}

describeWorkbench('views', (vscode) => {
  let frame;

  test('the gradient-norm chart: one line per run across the whole chart, log axis labelled', async () => {
    frame = await vscode.openPlayground('Rosenbrock');
    const runs = await frame.locator('.legend-item').count().then(() => until(() => frame.locator('.legend-item').count(), (n) => n > 0, 'the legend', TIMEOUT));
    const state = await until(() => readViews(frame), (s) => s.lines.length === runs && s.lines.every((l) => l.d > 0) && s.chartWidth > 50, 'the gradient-norm lines', TIMEOUT);
    assert.equal(state.error, '');
    // Every run starts at step 0 (the left edge); the longest ends at the right edge; all stay inside the plot.
    for (const line of state.lines) {
      assert.ok(Math.abs(line.x0) < 1, `a line starts at x=${line.x0}`);
      assert.ok(line.x1 <= state.chartWidth + 1 && line.y0 >= -1 && line.y1 <= state.chartHeight + 1, `a line leaves the plot: ${JSON.stringify(line)}`);
    }
    assert.ok(Math.max(...state.lines.map((l) => l.x1)) > state.chartWidth - 1, 'the longest run reaches the last step');
    assert.ok(state.yLabels.length >= 2, `y labels: ${state.yLabels}`);
    // The same cursor as the loss chart: the scrubber moves it.
    await frame.locator('input.scrubber').fill('30');
    await until(() => readViews(frame), (s) => s.step.startsWith('step 30 /'), 'the scrubber');
    const [lossCursor, normCursor] = await Promise.all(['.loss-chart .cursor', '.grad-norm-chart .cursor'].map((s) => frame.locator(s).getAttribute('x1')));
    assert.ok(Number(normCursor) > 0 && Math.abs(Number(normCursor) - Number(lossCursor)) < 1, `cursors at ${lossCursor} and ${normCursor}`);
  });

  test('step arrows at the current step and the gradient field', async () => {
    await frame.locator('vscode-checkbox.step-arrows-toggle').click();
    const runs = await frame.locator('.legend-item').count();
    // −∇f needs the runs' gradients: the runs come again with them.
    const state = await until(
      () => readViews(frame),
      (s) => s.arrows.filter((a) => a.kind === 'update').length === runs && s.arrows.filter((a) => a.kind === 'descent').length === runs,
      'an update and a −∇f arrow per run',
      TIMEOUT,
    );
    assert.ok(state.step.startsWith('step 30 /'), state.step);
    // Each arrow starts where its run is at the current step.
    for (const arrow of state.arrows) {
      const [hx, hy] = state.heads[arrow.run];
      assert.ok(Math.hypot(arrow.from[0] - hx, arrow.from[1] - hy) < 0.6, `${arrow.kind} arrow of run ${arrow.run} starts at ${arrow.from}, the run is at ${hx},${hy}`);
    }
    // They follow the scrubber.
    await frame.locator('input.scrubber').fill('60');
    const moved = await until(() => readViews(frame), (s) => s.step.startsWith('step 60 /') && s.arrows.length === 2 * runs, 'the arrows at step 60');
    assert.ok(moved.arrows.some((a, i) => a.from[0] !== state.arrows[i].from[0] || a.from[1] !== state.arrows[i].from[1]), 'the arrows moved with the step');

    await frame.locator('vscode-checkbox.gradient-field-toggle').click();
    const field = await until(() => readViews(frame), (s) => s.field > 50, 'the gradient field', TIMEOUT);
    assert.ok(field.field > 50, `${field.field} field arrows`);
    await vscode.screenshot('views-arrows-and-field');
    await frame.locator('vscode-checkbox.gradient-field-toggle').click();
    await until(() => readViews(frame), (s) => s.field === 0, 'the field hidden');
  });

  test('3-D: the toggle shows the surface; dragging rotates, the wheel zooms, reset restores; kept after a reload', async () => {
    assert.equal((await readSurface(frame)).visible, false);
    await frame.locator('input.scrubber').fill('60');
    await until(() => readViews(frame), (s) => s.step.startsWith('step 60 /'), 'the scrubber at step 60');
    await frame.locator('vscode-button.view-3d').click();
    const shown = await until(() => readSurface(frame), (s) => s.visible && s.colours > 40 && s.painted > 500, 'the shaded surface', TIMEOUT);
    const canvas = frame.locator('.surface3d:not(.network-surface) canvas.surface3d-canvas');
    const box = await canvas.boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await vscode.page.mouse.move(cx, cy);
    await vscode.page.mouse.down();
    await vscode.page.mouse.move(cx + 120, cy + 40, { steps: 6 });
    await vscode.page.mouse.up();
    const rotated = await until(() => readSurface(frame), (s) => s.hash !== shown.hash, 'the surface to turn');
    assert.ok(rotated.colours > 40);
    await vscode.page.mouse.wheel(0, -400);
    const zoomed = await until(() => readSurface(frame), (s) => s.hash !== rotated.hash, 'the zoom');
    assert.ok(zoomed.painted > rotated.painted, `zooming in covers more of the canvas: ${zoomed.painted} vs ${rotated.painted}`);
    // The current-step markers follow the scrubber.
    await frame.locator('input.scrubber').fill('5');
    const scrubbed = await until(() => readSurface(frame), (s) => s.hash !== zoomed.hash, 'the markers at step 5');
    await frame.locator('input.scrubber').fill('60');
    await until(() => readSurface(frame), (s) => s.hash !== scrubbed.hash, 'the markers at step 60');
    await frame.locator('.surface3d:not(.network-surface) vscode-button.reset-camera').click();
    await until(() => readSurface(frame), (s) => s.hash === shown.hash, 'the default camera again');
    await vscode.screenshot('views-3d');
    // The step arrows (on since the test before) are drawn on the surface too: off, the picture changes; on, it is back.
    const arrows = frame.locator('vscode-checkbox.step-arrows-toggle');
    assert.equal(await arrows.evaluate((toggle) => toggle.disabled), false, 'the step arrows can be toggled in 3-D');
    await arrows.click();
    await until(() => readSurface(frame), (s) => s.hash !== shown.hash, 'the surface without the arrows');
    await arrows.click();
    await until(() => readSurface(frame), (s) => s.hash === shown.hash, 'the arrows back');

    const reloaded = vscode.page.waitForEvent('load');
    await vscode.openCommand('Developer: Reload Window');
    await reloaded;
    // The restored panel waits for the extension to activate again: slow on a busy machine.
    await vscode.page.locator('iframe.webview.ready:visible').last().waitFor({ timeout: 120_000 });
    frame = await vscode.webviewFrame();
    const restored = await until(() => readSurface(frame), (s) => s.visible && s.colours > 40, 'the 3-D view after the reload', 90_000);
    assert.ok(restored.painted > 500);
    await frame.locator('vscode-button.view-2d').click();
    await until(() => readSurface(frame), (s) => !s.visible, 'back to 2-D');
  });

  test('Compare values from the Playground: five learning rates, five landscapes with captions', async () => {
    frame = await vscode.webviewFrame();
    await frame.locator('vscode-button.compare-values').click();
    await vscode.pickQuickInput('adam');
    await vscode.pickQuickInput('lr');
    const input = vscode.page.locator('.quick-input-widget input');
    await until(() => input.inputValue(), (v) => v.split(',').length === 5, 'the suggested values');
    await input.fill('0.001, 0.003, 0.01, 0.03, 0.1');
    await input.press('Enter');
    const compare = await vscode.webviewFrameOf('compare');
    const readCells = () =>
      compare.locator('body').evaluate(() => ({
        cells: [...document.querySelectorAll('.multiples .cell')].map((cell) => ({
          caption: cell.querySelector('.cell-caption')?.textContent ?? '',
          label: cell.querySelector('.cell-caption .legend-label')?.textContent ?? '',
          clipped: [...cell.querySelectorAll('.cell-caption > *')].some((item) => item.getBoundingClientRect().right > cell.getBoundingClientRect().right + 0.5),
          trajectories: cell.querySelectorAll('path.trajectory').length,
          painted: cell.querySelector('canvas.landscape-canvas')?.width ?? 0,
        })),
        normLines: [...document.querySelectorAll('.grad-norm-lines path')].filter((p) => (p.getAttribute('d') ?? '').length > 0).length,
        // Tick labels of the charts must sit inside their SVGs.
        labelsInside: [...document.querySelectorAll('.series-chart')].every((chart) => {
          const svg = chart.querySelector('svg').getBoundingClientRect();
          return [...chart.querySelectorAll('.tick text')].every((t) => t.getBoundingClientRect().left >= svg.left - 0.5);
        }),
      }));
    const shown = await until(readCells, (s) => s.cells.length === 5 && s.cells.every((c) => c.trajectories === 1 && /final loss/.test(c.caption)), 'five landscapes', TIMEOUT);
    const rates = ['0.001', '0.003', '0.01', '0.03', '0.1'];
    shown.cells.forEach((cell, i) => assert.equal(cell.label, `adam lr=${rates[i]}`));
    assert.ok(shown.cells.every((c) => !c.clipped), `clipped captions: ${JSON.stringify(shown.cells.filter((c) => c.clipped))}`);
    assert.equal(shown.normLines, 5);
    assert.ok(shown.labelsInside, 'a chart tick label is cut off at the left');
    await vscode.screenshot('views-compare-five-rates');

    // The Compare panel's own form: two values of lr for the first run.
    await compare.locator('vscode-textfield.sweep-values').evaluate((field) => {
      field.value = '0.002, 0.2';
      field.dispatchEvent(new Event('input'));
    });
    await compare.locator('vscode-button.sweep-go').click();
    const two = await until(readCells, (s) => s.cells.length === 2 && s.cells.every((c) => c.trajectories === 1), 'two landscapes', TIMEOUT);
    assert.deepEqual(two.cells.map((c) => c.label), ['adam lr=0.002', 'adam lr=0.2']);

    // Step arrows and the gradient field in every cell: each cell's arrows start where its run is.
    const readOverlays = () =>
      compare.locator('body').evaluate(() =>
        [...document.querySelectorAll('.multiples .cell')].map((cell) => {
          const head = cell.querySelector('circle.head');
          const arrows = [...cell.querySelectorAll('.step-arrow')].map((p) => {
            const start = /^M([-\d.e]+),([-\d.e]+)/.exec(p.getAttribute('d') ?? '');
            return { kind: p.classList.contains('update') ? 'update' : 'descent', from: start ? [Number(start[1]), Number(start[2])] : null };
          });
          return { head: head ? [Number(head.getAttribute('cx')), Number(head.getAttribute('cy'))] : null, arrows, field: cell.querySelectorAll('.gradient-field path').length };
        }),
      );
    await compare.locator('input.scrubber').fill('20');
    await compare.locator('vscode-checkbox.step-arrows-toggle').click();
    const arrowed = await until(readOverlays, (cells) => cells.length === 2 && cells.every((c) => c.arrows.length === 2), 'an update and a −∇f arrow per cell', TIMEOUT);
    for (const cell of arrowed) {
      assert.deepEqual(cell.arrows.map((a) => a.kind).sort(), ['descent', 'update']);
      for (const arrow of cell.arrows) assert.ok(Math.hypot(arrow.from[0] - cell.head[0], arrow.from[1] - cell.head[1]) < 0.6, `arrow at ${arrow.from}, run at ${cell.head}`);
    }
    assert.match(await compare.locator('.step-text').textContent(), /^step 20 \//, 'the gradients came without moving the step');
    await compare.locator('vscode-checkbox.gradient-field-toggle').click();
    await until(readOverlays, (cells) => cells.every((c) => c.field > 20), 'the gradient field in every cell', TIMEOUT);
    await vscode.screenshot('views-compare-arrows-and-field');
  });
});
