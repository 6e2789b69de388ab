// An optimizer written in the editor, as a user meets it: the example lion.optim opened, an error typed into its
// rule and shown as a diagnostic, fixed, then "Compare with Adam" draws the rule beside Adam, SGD with momentum and
// the example Lion on Rosenbrock (screenshots per theme).
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { describeWorkbench, until } from './harness.mjs';

const TIMEOUT = 60_000;
const BOWL = [
  'f = 0.1*x^2 + 10*y^2',
  'domain x in [-2, 2], y in [-1, 3]',
  'start = (-1.5, 2)',
  'optimizer "lion.optim" lr=0.01 label="lion from its file"',
  'optimizer asgd lr=0.095 t0=1',
  'steps = 300',
  '',
].join('\n');

const BANANA = [
  'f = (1 - x)^2 + 100*(y - x^2)^2',
  'domain x in [-2, 2], y in [-1, 3]',
  'start = (-1.5, 2)',
  'optimizer lbfgs lr=1 max_iter=5',
  'steps = 40',
  '',
].join('\n');

describeWorkbench('optim', (vscode) => {
  test('lion.optim: a diagnostic for an error, fixed, then Compare with Adam draws both trajectories', async () => {
    copyFileSync(join(repoRoot, 'examples', 'lion.optim'), join(vscode.workspace, 'lion.optim'));
    // Every file the tests open is written here: Quick Open's file index may not see a file written later at once.
    writeFileSync(join(vscode.workspace, 'bowl.loss'), BOWL);
    writeFileSync(join(vscode.workspace, 'banana.loss'), BANANA);
    await vscode.openFile('lion.optim');
    const { page } = vscode;
    const lens = page.locator('.codelens-decoration a', { hasText: 'Compare with Adam' });
    await lens.first().waitFor({ timeout: TIMEOUT });

    // Assigning to the gradient is an error: a squiggle, and the Problems count in the status bar.
    await page.locator('.monaco-editor .view-line', { hasText: 'm = beta2*m' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('\ng = 0');
    const errors = page.locator('.monaco-editor .squiggly-error');
    await errors.first().waitFor({ timeout: TIMEOUT });
    const problem = await until(
      () => page.locator('.statusbar-item[id="status.problems"]').first().getAttribute('aria-label').catch(() => ''),
      (label) => /Errors: 1\b/.test(label ?? ''),
      'the Problems count to show the error',
      TIMEOUT,
    );
    assert.match(problem, /Errors: 1\b/);
    // Its message, on hover over the squiggle.
    await errors.first().hover({ force: true });
    const hover = page.locator('.monaco-hover-content', { hasText: "'g' is the gradient" });
    await hover.first().waitFor({ timeout: TIMEOUT });
    assert.match(await hover.first().textContent(), /'g' is the gradient at x \(read-only[^)]*\): give the new value another name/);
    await vscode.screenshot('optim-diagnostic');
    // No lens while the file does not compile.
    await lens.first().waitFor({ state: 'detached', timeout: TIMEOUT });

    // Fixed: the line deleted, the squiggle and the error gone, the lens back.
    await page.keyboard.press('Control+Shift+K');
    await errors.first().waitFor({ state: 'detached', timeout: TIMEOUT });
    await lens.first().waitFor({ timeout: TIMEOUT });
    await lens.first().click();

    const compare = await vscode.webviewFrameOf('compare');
    const readCells = () => compare.locator('body').evaluate(() => [...document.querySelectorAll('.cell')].map((cell) => {
      const path = cell.querySelector('path.trajectory')?.getAttribute('d') ?? '';
      const points = [...path.matchAll(/[ML]\s*(-?[\d.e+-]+)[ ,](-?[\d.e+-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      return { caption: cell.querySelector('.cell-caption')?.textContent ?? '', points: points.length, first: points[0], last: points.at(-1) };
    }));
    const cells = await until(readCells, (c) => c.length === 4 && c.every((cell) => cell.points >= 2), 'four cells, each with its trajectory', TIMEOUT);
    const captions = cells.map((c) => c.caption);
    assert.match(captions[0], /^lion lr=1\.00e-4/, captions.join(' | '));
    assert.match(captions[1], /^adam/, captions.join(' | '));
    assert.match(captions[2], /^sgd.*momentum=0\.9/, captions.join(' | '));
    assert.match(captions[3], /lion lr=0\.005 \(example\)/, captions.join(' | '));
    // Both the written rule and Adam moved away from the start.
    for (const cell of cells.slice(0, 2)) assert.notDeepEqual(cell.first, cell.last, cell.caption);
    await vscode.screenshot('optim-compare');
  });

  test('a .loss file names lion.optim on its optimizer line; Visualize draws it beside ASGD, whose averaged iterate is dashed', async () => {
    await vscode.openFile('bowl.loss');
    await vscode.page.locator('.monaco-editor .view-line', { hasText: 'lion.optim' }).waitFor();
    await vscode.openCommand('Optiscope: Visualize Loss (File or Selected Formula)');
    const frame = await vscode.webviewFrameOf('playground');
    const read = () => frame.locator('body').evaluate(() => ({
      paths: [...document.querySelectorAll('path.trajectory')].map((p) => ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length),
      averaged: [...document.querySelectorAll('path.averaged')].map((p) => ({ run: p.getAttribute('data-run'), points: ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length, dash: getComputedStyle(p).strokeDasharray })),
      legend: [...document.querySelectorAll('.legend-item')].map((item) => item.textContent ?? ''),
    }));
    const state = await until(read, (s) => s.paths.length === 2 && s.paths.every((n) => n > 10) && s.averaged.length === 1 && s.averaged[0].points > 10, 'both trajectories and the dashed average', TIMEOUT);
    assert.equal(state.averaged[0].run, '1');
    assert.notEqual(state.averaged[0].dash, 'none');
    assert.ok(state.legend.some((l) => l.includes('lion from its file')), state.legend.join(' | '));
    await vscode.screenshot('optim-loss-file-asgd');
  });

  test('L-BFGS\'s inner evaluations are faint points in its colour beside its trajectory', async () => {
    await vscode.openFile('banana.loss');
    await vscode.page.locator('.monaco-editor .view-line', { hasText: 'lbfgs' }).waitFor();
    await vscode.openCommand('Optiscope: Visualize Loss (File or Selected Formula)');
    const frame = await vscode.webviewFrameOf('playground');
    const read = () => frame.locator('body').evaluate(() => ({
      paths: [...document.querySelectorAll('path.trajectory')].map((p) => ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length),
      points: [...document.querySelectorAll('circle.evaluation')].map((c) => ({ fill: c.getAttribute('fill'), opacity: Number(getComputedStyle(c).opacity) })),
      stroke: document.querySelector('path.trajectory')?.getAttribute('stroke'),
    }));
    const state = await until(read, (s) => s.paths.length === 1 && s.paths[0] > 3 && s.points.length > 10, 'the trajectory and its evaluations', TIMEOUT);
    assert.ok(state.points.every((p) => p.fill === state.stroke && p.opacity < 1), JSON.stringify(state.points.slice(0, 3)));
    await vscode.screenshot('optim-lbfgs-evaluations');
  });
});
