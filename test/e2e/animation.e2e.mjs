// Export Animation from Compare on Beale's function: the panel's button, the settings asked one by one (a bad width
// and an empty step range get a message), a GIF with as many frames as asked that differ; a cancelled export
// writes nothing. The GIFs and their first and last frames go to test-results/.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { decodeFrame, framePng, readGif } from './gifReader.mjs';
import { describeWorkbench, screenshotDir, until } from './harness.mjs';

const TIMEOUT = 60_000;
const FRAMES = 30;
const WIDTH = 400;
const FPS = 10;

describeWorkbench('animation', (vscode) => {
  const input = () => vscode.page.locator('.quick-input-widget input');
  const message = () => vscode.page.locator('.quick-input-message');
  /** Types into the open input box and waits for its message to contain `expected` ('' : no message). */
  const type = async (text, expected = '') => {
    await input().fill(text);
    await until(async () => ((await message().isVisible()) ? await message().textContent() : ''), (shown) => (expected ? shown.includes(expected) : !/must|is empty|outside/.test(shown)), `the message "${expected}" for "${text}"`);
  };

  test('Compare on Beale -> Export Animation... -> a GIF of the playback', async () => {
    await vscode.pickAfterCommand('Optiscope: Compare Optimizers', "Beale's function");
    const compare = await vscode.webviewFrameOf('compare');
    const state = () =>
      compare.locator('body').evaluate(() => ({
        cells: document.querySelectorAll('.cell path.trajectory').length,
        step: document.querySelector('.step-text')?.textContent ?? '',
      }));
    const before = await until(state, (s) => s.cells === 5 && /^step (\d+) \/ \1$/.test(s.step), 'five finished runs side by side', TIMEOUT);
    const lastStep = Number(before.step.split(' / ')[1]);

    await compare.locator('vscode-button.export-animation').click();
    await vscode.quickInputRow('GIF');
    // WebM is offered only where the webview can record it.
    const offered = await vscode.page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
    const placeholder = await input().getAttribute('placeholder');
    console.log(`formats offered: ${offered.join(', ')} (${placeholder})`);
    assert.ok(offered.includes('WebM video') || /GIF only/.test(placeholder), 'WebM is offered, or the pick says why not');
    await vscode.pickQuickInput('GIF');
    await vscode.pickQuickInput('Choose size, frame rate and steps…');

    await type('0', 'width must be a whole number of pixels from 16 to 1920');
    await type(String(WIDTH));
    await input().press('Enter');
    await until(() => input().inputValue(), (value) => value === '15', 'the frame rate box');
    await type('0', 'frame rate must be from 1 to 50');
    await type(String(FPS));
    await input().press('Enter');
    await until(() => input().inputValue(), (value) => value === `0-${lastStep}`, 'the step range box');
    await type('50-10', 'is empty');
    await type(`0-${lastStep + 1}`, 'outside');
    await type(`0-${lastStep}`);
    await input().press('Enter');
    await until(() => input().inputValue(), (value) => value === '150', 'the frame count box');
    await type(String(FRAMES));
    await input().press('Enter');

    await until(() => input().inputValue(), (value) => value.endsWith('optiscope-compare-beale.gif'), 'the save dialog', TIMEOUT);
    const clickedAt = Date.now();
    await input().press('Enter');
    const written = join(vscode.workspace, 'optiscope-compare-beale.gif');
    const bytes = await until(() => (existsSync(written) ? readFileSync(written) : undefined), (b) => b?.length > 0 && b[b.length - 1] === 0x3b, 'the GIF', TIMEOUT);
    const seconds = (Date.now() - clickedAt) / 1000;

    const gif = readGif(bytes);
    assert.equal(gif.frames.length, FRAMES, 'one frame per planned step');
    assert.equal(gif.width, WIDTH);
    assert.ok(gif.height > 100, `height ${gif.height}`);
    assert.equal(gif.loops, 0, 'loops forever');
    for (const frame of gif.frames) {
      assert.deepEqual([frame.left, frame.top, frame.width, frame.height], [0, 0, gif.width, gif.height]);
      assert.equal(frame.delay, 100 / FPS, 'delay in hundredths of a second');
    }
    // Every frame shows another step (the counter at least), and the runs move between the first and the last.
    for (let i = 1; i < gif.frames.length; i++) assert.notDeepEqual(gif.frames[i].data, gif.frames[i - 1].data, `frames ${i - 1} and ${i} are the same`);
    const first = decodeFrame(gif.frames[0]);
    const last = decodeFrame(gif.frames[FRAMES - 1]);
    const changed = first.reduce((count, index, i) => count + (index !== last[i] ? 1 : 0), 0);
    assert.ok(changed > 0.002 * first.length, `only ${changed} of ${first.length} pixels differ between the first and the last frame`);
    // The panel is back at the step it showed.
    assert.equal((await state()).step, before.step);
    const log = vscode.logLines('Optiscope Panels').filter((line) => line.includes('Export Animation: wrote'));
    assert.equal(log.length, 1, 'the export is logged');
    console.log(`${log[0].replace(/^.*Export Animation: /, '')}; ${bytes.length} bytes, ${seconds.toFixed(1)} s from Enter to the file`);

    mkdirSync(screenshotDir, { recursive: true });
    copyFileSync(written, join(repoRoot, 'test-results', `beale-compare-${vscode.themeName}.gif`));
    writeFileSync(join(screenshotDir, `beale-compare-gif-first-${vscode.themeName}.png`), framePng(gif, gif.frames[0]));
    writeFileSync(join(screenshotDir, `beale-compare-gif-last-${vscode.themeName}.png`), framePng(gif, gif.frames[FRAMES - 1]));
  });

  test('a cancelled export writes nothing', async () => {
    await vscode.openCommand('Optiscope: Export Animation…');
    await vscode.pickQuickInput('GIF');
    await vscode.pickQuickInput('Defaults');
    await until(() => input().inputValue(), (value) => value.endsWith('.gif'), 'the save dialog', TIMEOUT);
    const path = await input().inputValue();
    const target = path.replace(/[^/]*$/, 'cancelled.gif');
    await input().fill(target);
    await input().press('Enter');
    const toast = vscode.page.locator('.notification-toast', { hasText: 'exporting a GIF' });
    await toast.waitFor({ timeout: TIMEOUT });
    await until(() => toast.textContent(), (text) => /frame [1-9]/.test(text), 'a frame drawn', TIMEOUT);
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await until(() => vscode.logLines('Optiscope Panels'), (lines) => lines.some((line) => line.includes('Export Animation: cancelled')), 'the cancel in the log', TIMEOUT);
    await toast.waitFor({ state: 'hidden', timeout: TIMEOUT });
    assert.equal(existsSync(join(vscode.workspace, 'cancelled.gif')), false, 'nothing written');
    // The panel is usable again: another export is not refused as "already running".
    const compare = await vscode.webviewFrameOf('compare');
    await until(() => compare.locator('.step-text').textContent(), (text) => /^step (\d+) \/ \1$/.test(text), 'the panel back at its last step', TIMEOUT);
  });
});
