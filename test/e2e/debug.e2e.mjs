// The "done when" for the debugger, from the UI: a function breakpoint `loss < 1e-3`, F5 on a .loss file,
// Adam paused where its loss first drops below 1e-3 with m and v in the Variables view, then Step Over, Step Back
// and Continue from the debug toolbar; the Playground beside shows the same run and its Step / Step back move the debugger.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');

const ROSENBROCK = `# Rosenbrock's banana
f = (1 - x)^2 + 100*(y - x^2)^2
start = (-1.5, 2)
optimizer adam lr=0.05
steps = 3000
`;

describeWorkbench('debug', (vscode) => {
  test('Adam stops where its loss first drops below 1e-3; m and v shown; step over, step back, continue', async () => {
    const engine = await createEngine();
    const { stoppedAt } = await engine.trace({ loss: ROSENBROCK, optimizer: 'adam', options: { lr: 0.05 }, steps: 3000, breakpoints: ['loss < 1e-3'] });
    writeFileSync(join(vscode.workspace, 'rosenbrock.loss'), ROSENBROCK);
    const { page } = vscode;

    // Open the file (Quick Open), add the function breakpoint from the palette, press F5.
    await vscode.openFile('rosenbrock.loss');
    await page.locator('.monaco-editor .view-line', { hasText: 'optimizer adam lr=0.05' }).waitFor();
    // Run and Debug, then the Breakpoints view's "Add Function Breakpoint" action and its input.
    await vscode.openCommand('View: Show Run and Debug');
    await page.locator('.debug-viewlet, .welcome-view').first().waitFor();
    await vscode.openCommand('Add Function Breakpoint');
    const input = page.locator('.debug-breakpoints .monaco-inputbox input');
    await input.waitFor();
    await input.fill('loss < 1e-3');
    await input.press('Enter');
    await page.locator('.debug-breakpoints').getByText('loss < 1e-3').waitFor();
    await page.locator('.monaco-editor .view-line', { hasText: 'optimizer adam lr=0.05' }).click();
    await page.keyboard.press('F5');

    // Paused: the call stack names the step, the Variables view shows m and v.
    const toolbar = page.locator('.debug-toolbar');
    await toolbar.waitFor({ timeout: 60_000 });
    const stack = page.locator('.debug-call-stack');
    await stack.getByText(new RegExp(`step ${stoppedAt}\\b`)).first().waitFor({ timeout: 60_000 });
    const rows = page.locator('.monaco-list-row');
    await rows.filter({ hasText: 'exp_avg_sq_y' }).first().waitFor();
    const text = (await rows.allInnerTexts()).join('\n');
    for (const name of ['exp_avg_x', 'exp_avg_y', 'exp_avg_sq_x', 'exp_avg_sq_y', 'loss']) assert.ok(text.includes(name), `${name} in the Variables view`);
    await vscode.screenshot('debug-paused-at-breakpoint');

    const press = async (codicon) => toolbar.locator(`.codicon-${codicon}`).first().click();
    await press('debug-step-over');
    await stack.getByText(new RegExp(`step ${stoppedAt + 1}\\b`)).first().waitFor();
    const variables = page.locator('.debug-variables .monaco-list-row');
    await variables.filter({ hasText: new RegExp(`\\bStep ${stoppedAt + 1}\\b`) }).first().waitFor();
    await vscode.screenshot('debug-after-step-over');
    await press('debug-step-back');
    await stack.getByText(new RegExp(`step ${stoppedAt}\\b`)).first().waitFor();
    await variables.filter({ hasText: new RegExp(`\\bStep ${stoppedAt}\\b`) }).first().waitFor();
    await variables.filter({ hasText: 'exp_avg_sq_y' }).first().waitFor();
    await vscode.screenshot('debug-after-step-back');

    // The Playground beside shows the same paused run, and its controls drive the debugger.
    const panel = await vscode.webviewFrameOf('playground');
    await panel.locator('.debug-banner-text', { hasText: new RegExp(`Paused at step ${stoppedAt}\\b`) }).waitFor();
    await panel.locator('vscode-button.debug-step').click();
    await stack.getByText(new RegExp(`step ${stoppedAt + 1}\\b`)).first().waitFor();
    await variables.filter({ hasText: new RegExp(`\\bStep ${stoppedAt + 1}\\b`) }).first().waitFor();
    await panel.locator('vscode-button.debug-step-back').click();
    await stack.getByText(new RegExp(`step ${stoppedAt}\\b`)).first().waitFor();
    await press('debug-continue');
    await until(() => toolbar.isVisible(), (visible) => !visible, 'the debug toolbar to close when training ends');
  });
});
