// Breakpoints on training steps in the Playground: Adam on Rosenbrock stops where its loss first drops below
// 1e-3; the banner, the marked point and the inspector (m and v as the engine records them); step, step back,
// continue; a step breakpoint from a click on the chart's step axis; restart. Screenshots per theme.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');

/** The engine's own record of the same run: Adam, lr 0.05, from Rosenbrock's default start. */
const engine = await createEngine();
const [reference] = await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 3000, recordState: true });
const firstBelow = Array.from({ length: reference.rowCount }, (_, k) => reference.rows[k * 4 + 2]).findIndex((loss) => loss < 1e-3);
const recorded = (name, step) => reference.state[step * reference.stateNames.length + reference.stateNames.indexOf(name)];

function readDebug(frame) {
  return frame.locator('body').evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent ?? '';
    const banner = document.querySelector('.debug-banner');
    return {
      banner: banner && !banner.hidden ? text('.debug-banner-text') : '',
      step: text('.step-text'),
      legend: [...document.querySelectorAll('.legend-label')].map((l) => l.textContent),
      diagnostic: text('.bp-diagnostic'),
      breakpoints: [...document.querySelectorAll('.bp-item')].map((item) => ({
        text: item.querySelector('.bp-text')?.textContent,
        hits: item.querySelector('.bp-hits')?.textContent,
        enabled: item.querySelector('input.bp-enabled')?.checked,
      })),
      inspector: text('.inspector h3'),
      values: Object.fromEntries([...document.querySelectorAll('.inspector-row')].map((row) => [row.querySelector('th').textContent, Number(row.querySelector('td').title)])),
      equations: [...document.querySelectorAll('.inspector-equations .inspector-equation')].map((line) => ({
        math: line.querySelectorAll('math').length, text: line.querySelector('math')?.textContent ?? '',
      })),
      equationTitle: text('.inspector-equations h4'),
      pausedRings: document.querySelectorAll('circle.paused').length,
      pausedLine: document.querySelectorAll('.loss-chart line.paused-step').length,
      stepMarkers: [...document.querySelectorAll('.loss-chart path.step-breakpoint')].map((p) => Number(p.getAttribute('data-step'))),
      error: document.querySelector('.error')?.hidden === false ? text('.error') : '',
    };
  });
}

describeWorkbench('breakpoints', (vscode) => {
  let frame;

  test('Adam on Rosenbrock: a panel breakpoint pauses at the first step with loss < 1e-3', async () => {
    frame = await vscode.openPlayground('Rosenbrock');
    let state = await until(() => readDebug(frame), (s) => s.legend.length > 1, 'the default runs');
    // Keep only the Adam run (lr 0.05, the last default) and run 3000 steps.
    while (state.legend.length > 1) {
      const count = state.legend.length;
      await frame.locator('vscode-button.remove-run').first().click();
      state = await until(() => readDebug(frame), (s) => s.legend.length === count - 1, 'a run removed');
    }
    assert.match(state.legend[0], /adam/i);
    await frame.locator('vscode-textfield.steps input').fill('3000');
    await until(() => readDebug(frame), (s) => s.step === 'step 3000 / 3000', 'the 3000-step run');

    const condition = frame.locator('vscode-textfield.bp-condition input');
    await condition.fill('momentum_buffer_x > 1');
    state = await until(() => readDebug(frame), (s) => s.diagnostic !== '', 'the diagnostic of a name Adam does not have');
    assert.match(state.diagnostic, /Unknown name 'momentum_buffer_x'/);
    await condition.fill('loss < 1e-3');
    await until(() => readDebug(frame), (s) => s.diagnostic === '', 'the diagnostic to clear');
    await frame.locator('vscode-button.bp-add').click();

    assert.equal(firstBelow, 914);
    state = await until(() => readDebug(frame), (s) => s.banner.startsWith('Paused') && s.inspector.includes(`step ${firstBelow}`), 'the pause');
    assert.equal(state.banner, `Paused at step ${firstBelow}: loss < 1e-3 (adam)`);
    assert.equal(state.step, `step ${firstBelow} / ${firstBelow}`);
    assert.deepEqual(state.breakpoints, [{ text: 'loss < 1e-3', hits: 'hits 1', enabled: true }]);
    assert.equal(state.pausedRings, 1, 'the paused point is ringed on the landscape');
    assert.equal(state.pausedLine, 1, 'and marked on the loss chart');
    assert.equal(state.inspector, `Inspector: adam at step ${firstBelow}`);
    for (const name of ['exp_avg_x', 'exp_avg_y', 'exp_avg_sq_x', 'exp_avg_sq_y', 'grad_x', 'grad_y']) {
      assert.equal(state.values[name], recorded(name, firstBelow), name);
    }
    assert.equal(state.values.loss, reference.rows[firstBelow * 4 + 2]);
    assert.equal(state.values.lr, 0.05);
    assert.equal(state.values['Δx'], reference.rows[(firstBelow + 1) * 4] - reference.rows[firstBelow * 4]);
    assert.ok(state.values['λ1(H)'] > 0 && state.values['λ2(H)'] > state.values['λ1(H)'], 'near the minimum the Hessian is positive definite');
    await vscode.screenshot('breakpoints-paused');

    // The update rule typeset (MathML) with step 915's values: m, v, the bias corrections at t = 915, the step.
    state = await until(() => readDebug(frame), (s) => s.equations.length > 0, 'the typeset update rule');
    assert.equal(state.equationTitle, `Update rule: Adam, step ${firstBelow} → ${firstBelow + 1} (coordinate x)`);
    assert.ok(state.equations.every((line) => line.math === 1), 'each line is one <math> element');
    assert.match(state.equations[2].text, new RegExp(`β1t.*0\\.9${firstBelow + 1}`), 'the first bias correction at t = 915');
    assert.match(state.equations.at(-1).text, /^xt=xt−1−Δ/);
    await frame.locator('.inspector-equations').scrollIntoViewIfNeeded();
    await vscode.screenshot('breakpoints-equations');

    // The coordinate chosen for the equations is kept across a reload of the window (the panel's saved state).
    await frame.locator('button.inspector-equation-coordinate', { hasText: /^y$/ }).click();
    await until(() => readDebug(frame), (s) => s.equationTitle.endsWith('(coordinate y)'), 'the equations of y');
    const reloaded = vscode.page.waitForEvent('load');
    await vscode.openCommand('Developer: Reload Window');
    await reloaded;
    await vscode.page.locator('iframe.webview.ready:visible').last().waitFor({ timeout: 120_000 });
    frame = await vscode.webviewFrame();
    state = await until(() => readDebug(frame), (s) => s.banner.startsWith('Paused') && s.equations.length > 0, 'the pause again after the reload', 120_000);
    assert.equal(state.equationTitle, `Update rule: Adam, step ${firstBelow} → ${firstBelow + 1} (coordinate y)`);
  });

  test('Step, Step back, Continue', async () => {
    await frame.locator('vscode-button.debug-step').click();
    let state = await until(() => readDebug(frame), (s) => s.inspector.includes(`step ${firstBelow + 1}`), 'one step on');
    assert.equal(state.banner, `Paused at step ${firstBelow + 1}`);
    assert.equal(state.values.exp_avg_x, recorded('exp_avg_x', firstBelow + 1));
    assert.equal(state.values.exp_avg_sq_y, recorded('exp_avg_sq_y', firstBelow + 1));
    await vscode.screenshot('breakpoints-stepped');

    await frame.locator('vscode-button.debug-step-back').click();
    state = await until(() => readDebug(frame), (s) => s.inspector.includes(`step ${firstBelow}`), 'one step back');
    assert.equal(state.banner, `Paused at step ${firstBelow}`);
    assert.equal(state.values.exp_avg_x, recorded('exp_avg_x', firstBelow));

    await frame.locator('vscode-button.debug-continue').click();
    state = await until(() => readDebug(frame), (s) => s.banner.startsWith('Finished'), 'the run to finish');
    assert.equal(state.banner, 'Finished: adam completed at step 3000');
    assert.equal(state.step, 'step 3000 / 3000');
    assert.deepEqual(state.breakpoints[0].hits, 'hits 1', 'the loss stays below 1e-3, but the breakpoint stops only where it becomes true');
    assert.equal(state.error, '');
  });

  test('a click on the step axis adds a step breakpoint; Restart stops at both', async () => {
    const axis = frame.locator('.loss-chart .axis-x');
    const box = await axis.boundingBox();
    const plot = frame.locator('.loss-chart svg.chart-plot');
    const plotBox = await plot.boundingBox();
    await plot.click({ position: { x: box.x - plotBox.x + box.width * 0.6, y: plotBox.height - 8 } });
    let state = await until(() => readDebug(frame), (s) => s.stepMarkers.length === 1, 'the step marker');
    const [marked] = state.stepMarkers;
    assert.ok(marked > 1500 && marked < 2100, `step ${marked}`);
    assert.deepEqual(state.breakpoints.map((b) => b.text), ['loss < 1e-3', `step == ${marked}`]);

    await frame.locator('vscode-button.debug-restart').click();
    await until(() => readDebug(frame), (s) => s.banner.startsWith(`Paused at step ${firstBelow}:`), 'the restart to pause at the loss breakpoint');
    await frame.locator('vscode-button.debug-continue').click();
    state = await until(() => readDebug(frame), (s) => s.banner === `Paused at step ${marked}: step == ${marked} (adam)`, 'the step breakpoint');
    assert.equal(state.pausedLine, 1);
    await vscode.screenshot('breakpoints-step-axis');

    // Off: Continue runs to the end.
    await frame.locator('.bp-item input.bp-enabled').nth(1).uncheck();
    await frame.locator('vscode-button.debug-continue').click();
    await until(() => readDebug(frame), (s) => s.banner.startsWith('Finished'), 'the end with the step breakpoint off');
  });
});
