// A new user's first minutes: the walkthrough "Get Started with Optiscope" is offered with its six steps; its
// buttons open the Playground and copy the examples into the workspace, and the example's Visualize CodeLens
// draws its runs. (A development host, which the tests run in, skips the Welcome page at startup, so the test
// opens the walkthrough from the palette, as "Welcome: Open Walkthrough..." does for any user.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

const TIMEOUT = 60_000;
const WALKTHROUGH = 'Get Started with Optiscope';

describeWorkbench('walkthrough', (vscode) => {
  const step = (title) => vscode.page.locator('.getting-started-step', { hasText: title }).first();
  /** Expands the step and clicks its button. */
  const clickStepButton = async (title, button) => {
    await step(title).click();
    await vscode.page.locator('.getting-started-step.expanded .button-container a', { hasText: button }).click();
  };
  const openWalkthrough = async () => {
    // A Playground finishing its load takes focus and closes a quick pick opened meanwhile: pickAfterCommand retries.
    await vscode.pickAfterCommand('Welcome: Open Walkthrough...', WALKTHROUGH);
    await step('Open the Playground').waitFor({ timeout: TIMEOUT });
  };

  test('the walkthrough is offered among the walkthroughs and opens with its six steps', async () => {
    await openWalkthrough();
    const titles = await vscode.page.locator('.getting-started-step .step-title').allTextContents();
    assert.deepEqual(titles.map((t) => t.trim()), [
      'Open the Playground',
      'Open an example and press Visualize',
      'Compare optimizers side by side',
      'Pause training on a condition',
      'Debug a training run with F5',
      'Open a lesson',
    ]);
    await vscode.screenshot('walkthrough-steps');
  });

  test("the first step's button opens the Playground on the loss picked, and the step is checked", async () => {
    // The first command activates the extension (its quick pick waits for the engine), and the quick pick can close
    // as the walkthrough page takes focus back: then the walkthrough is opened again and the button clicked again
    // (Escape would take the walkthrough page back to the Welcome overview).
    const row = vscode.quickPickRow('Rosenbrock', { label: true });
    for (let attempt = 1; ; attempt++) {
      await clickStepButton('Open the Playground', 'Open Playground');
      try {
        await row.waitFor({ state: 'visible', timeout: 20_000 });
        await row.click({ timeout: 5000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await openWalkthrough();
      }
    }
    const frame = await vscode.webviewFrameOf('playground');
    await until(() => frame.locator('path.trajectory').count(), (n) => n > 0, 'trajectories in the Playground', TIMEOUT);
    await openWalkthrough();
    await until(() => step('Open the Playground').getAttribute('aria-checked'), (checked) => checked === 'true', 'the step checked');
  });

  test('the examples step copies the examples into the workspace, and Visualize draws the example', async () => {
    await openWalkthrough();
    await clickStepButton('Open an example and press Visualize', 'Open Examples');
    // VS Code's folder dialog (its own in the browser) starts in the workspace folder: accept it.
    const accept = vscode.page.locator('.quick-input-widget .monaco-button', { hasText: 'Copy Examples Here' });
    await accept.waitFor({ timeout: TIMEOUT });
    await accept.click();
    await vscode.page.locator('.tab.active', { hasText: 'rosenbrock.loss' }).waitFor({ timeout: TIMEOUT });
    assert.ok(existsSync(join(vscode.workspace, 'optiscope-examples', 'line-fit.loss')), 'the examples are in the workspace');
    const lens = vscode.page.locator('.codelens-decoration a', { hasText: 'Visualize' }).first();
    await lens.waitFor({ timeout: TIMEOUT });
    await lens.click();
    const frame = await vscode.webviewFrameOf('playground');
    const legend = await until(() => frame.locator('.legend-label').allTextContents(), (labels) => labels.length === 4, 'the four runs of rosenbrock.loss', TIMEOUT);
    assert.ok(legend.some((label) => label.startsWith('newton')), legend.join(', '));
    await until(() => frame.locator('path.trajectory').count(), (n) => n === 4, 'four trajectories', TIMEOUT);
    await vscode.screenshot('walkthrough-example-visualized');
  });
});
