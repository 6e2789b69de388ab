// A .loss file whose per-sample loss reads a CSV beside it, visualized in code-server: the Playground paints the
// full-batch landscape with minibatch SGD and Adam paths (screenshots per theme).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

// y = 1.5 x - 0.5 plus a deterministic wiggle, 48 samples.
const ROWS = Array.from({ length: 48 }, (_, i) => {
  const x = -2 + (4 * i) / 47;
  return [x, 1.5 * x - 0.5 + 0.4 * Math.sin(7 * i)];
});
const LOSS = `# Least squares on points.csv, with minibatches of 4
params w, b
data "points.csv"
f = (w*x + b - y)^2
domain w in [-1, 4], b in [-3, 2]
start = (-0.5, 1.5)
optimizer sgd lr=0.05 label="SGD, batch 4"
optimizer adam lr=0.1 label="Adam, batch 4"
steps = 60
stochastic batch=4 seed=2
`;

describeWorkbench('data', (vscode) => {
  test('Visualize Loss on a .loss file with a CSV: landscape, contours and two noisy paths', async () => {
    writeFileSync(join(vscode.workspace, 'points.csv'), `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    writeFileSync(join(vscode.workspace, 'fit.loss'), LOSS);
    await vscode.openFile('fit.loss');
    await vscode.page.locator('.monaco-editor .view-line', { hasText: 'data "points.csv"' }).waitFor();
    await vscode.openCommand('Optiscope: Visualize Loss (File or Selected Formula)');
    const frame = await vscode.webviewFrame();
    const state = await until(() => frame.locator('body').evaluate(() => {
      const canvas = document.querySelector('canvas.landscape-canvas');
      const paths = [...document.querySelectorAll('path.trajectory')].map((p) => ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length);
      return {
        painted: Boolean(canvas && canvas.width > 0),
        contours: document.querySelectorAll('.contours path').length,
        paths,
        legend: [...document.querySelectorAll('.legend-item')].map((item) => item.textContent ?? ''),
        samples: document.querySelectorAll('.side-charts:not([hidden]) .data-view circle.sample').length,
        models: document.querySelectorAll('.side-charts:not([hidden]) .data-view line.model').length,
        error: document.querySelector('.error')?.hidden === false ? document.querySelector('.error')?.textContent : '',
      };
    }), (s) => s.painted && s.paths.length === 2 && s.paths.every((n) => n > 50) && s.samples === ROWS.length, 'the landscape, both paths and the samples');
    assert.equal(state.error, '');
    assert.ok(state.contours > 5, `contours: ${state.contours}`);
    // A .loss file's per-sample loss is no known model: the samples are shown, no fitted lines.
    assert.equal(state.models, 0);
    assert.ok(state.legend.some((l) => l.includes('SGD, batch 4')) && state.legend.some((l) => l.includes('Adam, batch 4')), state.legend.join(' | '));
  });
});
