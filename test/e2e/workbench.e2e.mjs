// The harness's own checks: Optiscope's commands reach the palette and its panel renders.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { describeWorkbench } from './harness.mjs';

const { contributes } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const hiddenFromPalette = new Set((contributes.menus?.commandPalette ?? []).filter((m) => m.when).map((m) => m.command));
const paletteLabels = contributes.commands
  .filter((c) => !hiddenFromPalette.has(c.command))
  .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));

describeWorkbench('workbench', (vscode) => {
  test('the palette lists every Optiscope command', async () => {
    for (const label of paletteLabels) {
      await vscode.findInPalette(label);
      await vscode.page.keyboard.press('Escape');
    }
  });

  test('Open Playground shows a panel that renders', async () => {
    const frame = await vscode.openPlayground('Rosenbrock');
    // The legend's "final loss" shows once the runs have come back from the engine.
    await frame.getByText(/final loss/).first().waitFor();
    await frame.getByText('Rosenbrock', { exact: true }).first().waitFor();
    assert.equal(await frame.locator('body').getAttribute('data-view'), 'playground');
  });
});
