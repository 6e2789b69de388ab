// The "done when", as a new user does it: from the palette to a fair side-by-side comparison of five
// optimizers on Beale's function (each at its own best learning rate), exported as a PNG.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { describeWorkbench, until } from './harness.mjs';

const TIMEOUT = 60_000;

describeWorkbench('beale', (vscode) => {
  test('palette -> Compare Optimizers on Beale -> Tune learning rates -> Export as PNG', async () => {
    await vscode.pickAfterCommand('Optiscope: Compare Optimizers', "Beale's function");
    const compare = await vscode.webviewFrameOf('compare');
    const readTable = () =>
      compare.locator('body').evaluate(() => ({
        title: document.querySelector('.compare-title')?.textContent ?? '',
        cells: document.querySelectorAll('.cell path.trajectory').length,
        rows: [...document.querySelectorAll('.metrics tbody tr')].map((row) => [...row.cells].map((c) => c.textContent.trim())),
      }));
    const before = await until(readTable, (s) => s.rows.length === 5 && s.cells === 5, 'five runs side by side', TIMEOUT);
    assert.match(before.title, /^Beale/);

    await compare.locator('vscode-button.tune').click();
    // The progress notification while the engine searches.
    const toast = vscode.page.locator('.notification-toast', { hasText: 'tuning learning rates' });
    await toast.waitFor({ timeout: TIMEOUT });
    const tuned = await until(readTable, (s) => s.rows.length === 5 && s.rows.some((row, i) => row[0] !== before.rows[i][0]), 'the tuned runs', TIMEOUT);
    const finalLoss = (rows) => rows.map((row) => Number(row[1]));
    // Each run at its best candidate, the current rate among them: no run ends higher than before.
    finalLoss(tuned.rows).forEach((loss, i) => assert.ok(loss <= finalLoss(before.rows)[i] * (1 + 1e-9), `${tuned.rows[i][0]}: ${loss} vs ${before.rows[i][1]}`));
    // The notification closes when the search is done.
    await toast.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await vscode.screenshot('beale-compare-tuned');

    await vscode.openCommand('Optiscope: Export...');
    await vscode.pickQuickInput('PNG image');
    const path = vscode.page.locator('.quick-input-widget input');
    await until(() => path.inputValue(), (value) => value.endsWith('optiscope-compare-beale.png'), 'the save dialog', TIMEOUT);
    await path.press('Enter');
    const written = join(vscode.workspace, 'optiscope-compare-beale.png');
    // Written in chunks: wait for the PNG's last chunk.
    const png = await until(() => (existsSync(written) ? readFileSync(written) : undefined), (bytes) => bytes?.includes('IEND'), 'the PNG', TIMEOUT);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const theme = await compare.locator('body').evaluate((b) => (b.classList.contains('vscode-dark') ? 'dark' : 'light'));
    mkdirSync(join(repoRoot, 'test-results', 'screenshots'), { recursive: true });
    writeFileSync(join(repoRoot, 'test-results', 'screenshots', `exported-beale-${theme}.png`), png);
  });
});
