// Export Animation from Compare on Beale's function: the panel's button, the settings asked one by one (a bad width
// and an empty step range get a message), a GIF with as many frames as asked that differ; the Playground as WebM and
// GIF; the notification's Cancel writes nothing (a closed panel and bad settings: test/integration/animation.test.ts).
// The files and some frames as PNG go to test-results/.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { composeFrames, indicesPng, readGif } from './gifReader.mjs';
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
    const shown = composeFrames(gif);
    const [first, last] = [shown[0], shown[FRAMES - 1]];
    const changed = first.reduce((count, index, i) => count + (index !== last[i] ? 1 : 0), 0);
    assert.ok(changed > 0.002 * first.length, `only ${changed} of ${first.length} pixels differ between the first and the last frame`);
    // The panel is back at the step it showed.
    assert.equal((await state()).step, before.step);
    const log = vscode.logLines('Optiscope Panels').filter((line) => line.includes('Export Animation: wrote'));
    assert.equal(log.length, 1, 'the export is logged');
    console.log(`${log[0].replace(/^.*Export Animation: /, '')}; ${bytes.length} bytes, ${seconds.toFixed(1)} s from Enter to the file`);

    mkdirSync(screenshotDir, { recursive: true });
    copyFileSync(written, join(repoRoot, 'test-results', `beale-compare-${vscode.themeName}.gif`));
    writeFileSync(join(screenshotDir, `beale-compare-gif-first-${vscode.themeName}.png`), indicesPng(gif, first));
    writeFileSync(join(screenshotDir, `beale-compare-gif-middle-${vscode.themeName}.png`), indicesPng(gif, shown[FRAMES / 2]));
    writeFileSync(join(screenshotDir, `beale-compare-gif-last-${vscode.themeName}.png`), indicesPng(gif, last));
  });

  /** Export Animation from the palette with chosen settings, saved as `name` in the workspace; returns the file's bytes once written. */
  const exportFromPalette = async (format, { width, fps, range, frames }, name) => {
    // A page that takes the focus as it settles closes a quick pick opened meanwhile: then the command runs again.
    for (let attempt = 1; ; attempt++) {
      await vscode.pickAfterCommand('Optiscope: Export Animation…', format, { label: true });
      try {
        await vscode.quickPickRow('Choose size, frame rate and steps…', { label: true }).click({ timeout: 5000 });
        await input().waitFor({ state: 'visible', timeout: 5000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await vscode.page.keyboard.press('Escape');
      }
    }
    // Each box, recognised by its default value, then the save dialog by its file name.
    const boxes = [[width, /^15$/], [fps, /^\d+-\d+$/], [range, /^150$/], [frames, /\.(gif|webm)$/]];
    for (const [value, next] of boxes) {
      await type(String(value));
      await input().press('Enter');
      await until(() => input().inputValue(), (shown) => next.test(shown), `the box after ${value}`, TIMEOUT);
    }
    await input().fill((await input().inputValue()).replace(/[^/]*$/, name));
    await input().press('Enter');
    const written = join(vscode.workspace, name);
    return until(() => (existsSync(written) ? readFileSync(written) : undefined), (b) => b?.length > 0, name, TIMEOUT);
  };

  test('the Playground on Rosenbrock as a WebM video and a GIF', async () => {
    const playground = await vscode.openPlayground('Rosenbrock');
    await until(() => playground.locator('.step-text').textContent(), (text) => /^step ([1-9]\d*) \/ \1$/.test(text), 'the finished runs', TIMEOUT);
    const webm = await exportFromPalette('WebM video', { width: 320, fps: 10, range: '0-300', frames: 12 }, 'rosenbrock.webm');
    // A WebM file: the EBML header, then a Segment with the recorded frames.
    assert.equal(webm.readUInt32BE(0), 0x1a45dfa3, 'EBML magic');
    assert.ok(webm.includes(Buffer.from('webm', 'latin1')), 'doc type webm');
    assert.ok(webm.length > 2000, `${webm.length} bytes`);
    const gifBytes = await exportFromPalette('GIF', { width: 480, fps: 12, range: '0-300', frames: 12 }, 'rosenbrock.gif');
    const gif = readGif(gifBytes);
    assert.equal(gif.frames.length, 12);
    assert.equal(gif.width, 480);
    const shown = composeFrames(gif);
    assert.ok(shown[0].some((index, i) => index !== shown[11][i]), 'the first and the last frame differ');
    mkdirSync(screenshotDir, { recursive: true });
    copyFileSync(join(vscode.workspace, 'rosenbrock.webm'), join(repoRoot, 'test-results', `rosenbrock-playground-${vscode.themeName}.webm`));
    copyFileSync(join(vscode.workspace, 'rosenbrock.gif'), join(repoRoot, 'test-results', `rosenbrock-playground-${vscode.themeName}.gif`));
    writeFileSync(join(screenshotDir, `rosenbrock-playground-gif-last-${vscode.themeName}.png`), indicesPng(gif, shown[11]));
  });

  test("the notification's Cancel stops the export and writes nothing", async () => {
    // The Playground of the test before, in front; the defaults: 150 frames, long enough to cancel.
    await vscode.pickAfterCommand('Optiscope: Export Animation…', 'GIF', { label: true });
    await vscode.pickQuickInput('Defaults');
    await until(() => input().inputValue(), (value) => value.endsWith('.gif'), 'the save dialog', TIMEOUT);
    await input().fill((await input().inputValue()).replace(/[^/]*$/, 'cancelled.gif'));
    await input().press('Enter');
    const toast = vscode.page.locator('.notification-toast', { hasText: 'exporting a GIF' });
    const cancel = toast.locator('.monaco-button', { hasText: 'Cancel' });
    await cancel.waitFor({ timeout: TIMEOUT });
    const clickedAt = Date.now();
    await cancel.click();
    const clickTook = Date.now() - clickedAt;
    const lines = await until(() => vscode.logLines('Optiscope Panels'), (all) => all.some((line) => /Export Animation: cancelled|cancelled\.gif/.test(line)), 'the export to end', TIMEOUT);
    console.log(`Cancel clicked in ${clickTook} ms, the export ended ${Date.now() - clickedAt} ms after the click`);
    assert.ok(lines.some((line) => line.includes('Export Animation: cancelled')));
    assert.equal(existsSync(join(vscode.workspace, 'cancelled.gif')), false, 'nothing written');
  });
});
