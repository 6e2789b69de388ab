// The Playground in code-server: open from the palette, click a start point, play, pause, scrub, hover,
// zoom, restore after a reload, compare side by side; asserts on SVG paths, canvas pixels and table text,
// screenshots per theme.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/code-server/server.mjs';
import { describeWorkbench, settled, until } from './harness.mjs';

/** What is drawn: trajectory paths, their points, canvas pixels, texts. */
function readPanel(frame) {
  return frame.locator('body').evaluate(() => {
    const canvas = document.querySelector('canvas.landscape-canvas');
    let paintedPixels = 0;
    let distinctColours = 0;
    if (canvas && canvas.width > 0) {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) {
        if (data[i + 3] > 0) paintedPixels++;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      distinctColours = colours.size;
    }
    const trajectories = [...document.querySelectorAll('path.trajectory')].map((p) => {
      const d = p.getAttribute('d') ?? '';
      const points = (d.match(/[ML]/g) ?? []).length;
      const first = /M([-\d.e]+),([-\d.e]+)/.exec(d);
      return { points, first: first ? [Number(first[1]), Number(first[2])] : null };
    });
    const text = (selector) => document.querySelector(selector)?.textContent ?? '';
    return {
      paintedPixels,
      distinctColours,
      contours: document.querySelectorAll('.contours path').length,
      minima: document.querySelectorAll('path.minimum').length,
      trajectories,
      legend: document.querySelectorAll('.legend-item').length,
      lossLines: [...document.querySelectorAll('.loss-lines path')].filter((p) => (p.getAttribute('d') ?? '').length > 0).length,
      step: text('.step-text'),
      start: text('.start-text'),
      play: text('vscode-button.play'),
      tooltip: document.querySelector('.tooltip')?.hidden === false ? text('.tooltip') : '',
      xTicks: [...document.querySelectorAll('.landscape .axis-x .tick text')].map((t) => t.textContent),
      error: document.querySelector('.error')?.hidden === false ? text('.error') : '',
    };
  });
}

const drawn = (state) => state.paintedPixels > 0 && state.distinctColours > 20 && state.trajectories.length > 0 && state.trajectories.every((t) => t.points > 1);

describeWorkbench('playground', (vscode) => {
  let frame;

  test('opens from the palette: landscape, contours, minima, trajectories, legend, loss chart', async (t) => {
    // The loss quick pick: each entry previews its formula and minima.
    const started = await vscode.pickAfterCommand('Optiscope: Open Playground', 'Rosenbrock', {
      before: async (rosenbrock) => assert.match(await rosenbrock.textContent(), /min f\(1, 1\) = 0/),
    });
    frame = await vscode.webviewFrame();
    const state = await until(() => readPanel(frame), drawn, 'the first paint');
    const firstPaintMs = Date.now() - started;
    const theme = await frame.locator('body').evaluate((b) => (b.classList.contains('vscode-dark') ? 'dark' : 'light'));
    const timings = join(repoRoot, 'test-results');
    mkdirSync(timings, { recursive: true });
    writeFileSync(join(timings, `playground-first-paint-${theme}.json`), JSON.stringify({ firstPaintMs }));
    t.diagnostic(`command to first painted landscape with trajectories: ${firstPaintMs} ms`);

    assert.equal(state.error, '');
    assert.ok(state.contours > 5, `contours: ${state.contours}`);
    assert.equal(state.minima, 1);
    assert.equal(state.legend, state.trajectories.length);
    assert.equal(state.lossLines, state.trajectories.length);
    assert.match(state.step, /step (\d+) \/ \1/); // complete runs shown at the end
  });

  test('a click on the landscape sets the start point and re-runs from it', async () => {
    const overlay = frame.locator('svg.landscape-overlay:visible');
    const before = await readPanel(frame);
    const box = await overlay.boundingBox();
    const click = { x: Math.round(box.width * 0.7), y: Math.round(box.height * 0.3) };
    await overlay.click({ position: click });
    const after = await until(() => readPanel(frame), (s) => s.start !== before.start && drawn(s) && s.trajectories[0].first?.[0] !== before.trajectories[0].first?.[0], 'the re-run');
    // Paths are drawn inside the plot group, offset by the left and top margins.
    const [x, y] = after.trajectories[0].first;
    const margin = await frame.locator('svg.landscape-overlay:visible > g').first().evaluate((g) => {
      const { e, f } = g.transform.baseVal.consolidate().matrix;
      return { e, f };
    });
    assert.ok(Math.abs(x + margin.e - click.x) < 2 && Math.abs(y + margin.f - click.y) < 2, `path starts at ${x + margin.e},${y + margin.f}, clicked ${click.x},${click.y}`);
    await vscode.screenshot('playground-start-moved');
  });

  test('play animates, pause stops, the scrubber seeks', async () => {
    const play = frame.locator('vscode-button.play');
    await play.click();
    const playing = await until(() => readPanel(frame), (s) => s.play === 'Pause' && /step [1-9]\d* \//.test(s.step), 'playback to advance');
    assert.ok(playing.trajectories.some((t) => t.points > 0));
    await play.click();
    const paused = await until(() => readPanel(frame), (s) => s.play === 'Play', 'pause');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await readPanel(frame)).step, paused.step, 'the step moved while paused');
    // Space on the focused button toggles once: the button's own click, not also the panel's Space key.
    await play.press(' ');
    await until(() => readPanel(frame), (s) => s.play === 'Pause', 'Space on the Play button to play');
    await play.press(' ');
    await until(() => readPanel(frame), (s) => s.play === 'Play', 'Space on the Pause button to pause');

    await frame.locator('input.scrubber').fill('20');
    const scrubbed = await until(() => readPanel(frame), (s) => s.step.startsWith('step 20 /'), 'the scrubber');
    const full = await until(
      async () => {
        await frame.locator('input.scrubber').fill(await frame.locator('input.scrubber').getAttribute('max'));
        return readPanel(frame);
      },
      (s) => /step (\d+) \/ \1/.test(s.step),
      'the end',
    );
    assert.ok(scrubbed.trajectories.every((t, i) => t.points <= 21 && t.points <= full.trajectories[i].points), 'paths at step 20 have at most 21 points');
    const cursor = await frame.locator('.loss-chart .cursor').getAttribute('x1');
    assert.ok(Number(cursor) > 0, 'the loss chart cursor follows the scrubber');
    await frame.locator('input.scrubber').fill('20');
    await until(() => readPanel(frame), (s) => s.step.startsWith('step 20 /'), 'the scrubber');
  });

  test('keyboard shortcuts with the panel active: Ctrl+Alt+P plays and pauses, Ctrl+Alt+. and , step', async () => {
    await frame.locator('input.scrubber').fill('20');
    await until(() => readPanel(frame), (s) => s.step.startsWith('step 20 /'), 'the scrubber at step 20');
    // The workbench's keybinding, not the webview's own Space: focus stays in the panel, the workbench dispatches.
    await vscode.page.keyboard.press('Control+Alt+Period');
    await until(() => readPanel(frame), (s) => s.step.startsWith('step 21 /'), 'one step forward');
    await vscode.page.keyboard.press('Control+Alt+Comma');
    await vscode.page.keyboard.press('Control+Alt+Comma');
    await until(() => readPanel(frame), (s) => s.step.startsWith('step 19 /'), 'two steps back');
    await vscode.page.keyboard.press('Control+Alt+P');
    await until(() => readPanel(frame), (s) => s.play === 'Pause' && !s.step.startsWith('step 19 /'), 'playback to start');
    await vscode.page.keyboard.press('Control+Alt+P');
    await until(() => readPanel(frame), (s) => s.play === 'Play', 'playback to pause');
    // The hover test reads the heads at step 20, where the test before this one left them.
    await frame.locator('input.scrubber').fill('20');
    await until(() => readPanel(frame), (s) => s.step.startsWith('step 20 /'), 'the scrubber back at step 20');
  });

  test('hovering a trajectory shows step, parameters, loss and gradient norm', async () => {
    const head = frame.locator('circle.head').first();
    const box = await head.boundingBox();
    const overlayBox = await frame.locator('svg.landscape-overlay:visible').boundingBox();
    await frame.locator('svg.landscape-overlay:visible').hover({ position: { x: box.x + box.width / 2 - overlayBox.x, y: box.y + box.height / 2 - overlayBox.y } });
    const state = await until(() => readPanel(frame), (s) => s.tooltip !== '', 'the tooltip');
    assert.match(state.tooltip, /step 20/);
    assert.match(state.tooltip, /x = .*y = /);
    assert.match(state.tooltip, /loss .*‖∇‖/);
    await vscode.screenshot('playground-hover');
  });

  test('zooming re-draws the axes and repaints the landscape for the new extent', async () => {
    const overlay = frame.locator('svg.landscape-overlay:visible');
    const before = await readPanel(frame);
    const box = await overlay.boundingBox();
    await vscode.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await vscode.page.mouse.wheel(0, -200);
    const after = await until(() => readPanel(frame), (s) => JSON.stringify(s.xTicks) !== JSON.stringify(before.xTicks) && drawn(s), 'the zoomed axes');
    assert.ok(after.contours > 5);
  });

  test('a hidden panel comes back at once, as it was (the same page, its zoomed view), its playback paused', async (t) => {
    const zoomed = await until(() => readPanel(frame), drawn, 'the zoomed panel');
    await frame.locator('body').evaluate(() => (window.optiscopeSamePage = true));
    // Slowly (10 steps/s), so that it is still playing when the panel goes out of sight.
    await frame.locator('vscode-single-select.speed').evaluate((select) => {
      select.value = '10';
      select.dispatchEvent(new Event('change'));
    });
    await frame.locator('vscode-button.play').click();
    await until(() => readPanel(frame), (s) => s.play === 'Pause', 'playback');
    await vscode.openCommand('File: New Untitled Text File');
    await vscode.page.locator('.monaco-editor').first().waitFor();
    await vscode.openCommand('View: Close Editor');
    const closed = Date.now();
    frame = await vscode.webviewFrame();
    const back = await until(() => readPanel(frame), (s) => drawn(s) && s.xTicks.length > 0, 'the panel to come back');
    t.diagnostic(`the hidden panel is back ${Date.now() - closed} ms after its tab showed again`);
    assert.deepEqual(back.xTicks, zoomed.xTicks);
    assert.equal(await frame.locator('body').evaluate(() => window.optiscopeSamePage), true, 'the page was kept, not loaded again');
    const [, step, last] = /step (\d+) \/ (\d+)/.exec(back.step);
    assert.ok(back.play === 'Play' && Number(step) < Number(last), `playback paused out of sight: ${back.play}, ${back.step}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await readPanel(frame)).step, back.step, 'the step stays while paused');
  });

  test("editing an option re-runs at once; an invalid one shows the engine's message", async () => {
    const lr = frame.locator('vscode-textfield.option-lr').first().locator('input');
    const before = await readPanel(frame);
    await lr.fill('-1');
    const rejected = await until(() => readPanel(frame), (s) => s.error !== '', 'the error banner');
    assert.match(rejected.error, /learning rate/i);
    await lr.fill('0.002');
    const rerun = await until(
      () => readPanel(frame),
      (s) => s.error === '' && drawn(s) && JSON.stringify(s.trajectories[0]) !== JSON.stringify(before.trajectories[0]),
      'the re-run',
    );
    assert.equal(rerun.trajectories.length, before.trajectories.length);
    assert.match(await frame.locator('.legend-label').first().textContent(), /lr=0\.002/);
  });

  test("a run's More options and Stochastic & schedule open on a click, and their fields re-run it", async () => {
    const run = frame.locator('.run').first();
    const label = () => frame.locator('.legend-label').first().textContent();
    const firstPath = () => frame.locator('path.trajectory').first().getAttribute('d');
    const more = run.locator('vscode-collapsible.more-options');
    await more.click();
    const momentum = more.locator('vscode-textfield.option-momentum input');
    await momentum.fill('0.5');
    await until(label, (text) => /^sgd lr=0\.002 momentum=0\.5$/.test(text), 'the run with momentum');
    const steady = await settled(firstPath, (d) => Boolean(d), 'its whole path'); // (a run streams in: its path grows)
    const stochastic = run.locator('vscode-collapsible.stochastic');
    await stochastic.click();
    const noise = stochastic.locator('vscode-textfield.option-gradient-noise input');
    await noise.fill('0.1');
    await until(() => stochastic.getAttribute('description'), (summary) => summary === 'noise 0.1', "the section's summary");
    await until(firstPath, (d) => d !== steady, 'the run with gradient noise');
    await vscode.screenshot('playground-run-sections');
    await noise.fill('0');
    await until(firstPath, (d) => d === steady, 'the same run again without noise');
    await momentum.fill('0');
    await until(label, (text) => text === 'sgd lr=0.002', 'the run without momentum');
  });

  test('the panel comes back after a reload with its scenario', async () => {
    const before = await readPanel(frame);
    const reloaded = vscode.page.waitForEvent('load');
    await vscode.openCommand('Developer: Reload Window');
    await reloaded;
    await vscode.page.locator('.monaco-workbench .part.statusbar').waitFor();
    frame = await vscode.webviewFrame();
    const restored = await until(() => readPanel(frame), drawn, 'the restored panel');
    assert.equal(restored.start, before.start);
    assert.equal(restored.trajectories.length, before.trajectories.length);
    await vscode.screenshot('playground-restored');
  });

  test('Compare side by side: one landscape per run, synchronised playback, a metrics table', async () => {
    const runs = (await readPanel(frame)).trajectories.length;
    await frame.locator('vscode-button.compare').click();
    const compare = await vscode.webviewFrameOf('compare');
    const readCompare = () =>
      compare.locator('body').evaluate(() => ({
        cells: [...document.querySelectorAll('.cell')].map((cell) => ({
          caption: cell.querySelector('.legend-label')?.textContent ?? '',
          points: (cell.querySelector('path.trajectory')?.getAttribute('d')?.match(/[ML]/g) ?? []).length,
          painted: (() => {
            const canvas = cell.querySelector('canvas');
            if (!canvas || canvas.width === 0) return false;
            const { data } = canvas.getContext('2d').getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1);
            return data[3] > 0;
          })(),
        })),
        rows: [...document.querySelectorAll('.metrics tbody tr')].map((row) => [...row.cells].map((cell) => cell.textContent.trim())),
        step: document.querySelector('.step-text')?.textContent ?? '',
      }));
    const state = await until(readCompare, (s) => s.cells.length === runs && s.rows.length === runs && s.cells.every((c) => c.painted && c.points > 1), 'the small multiples');
    assert.deepEqual(state.rows.map((row) => row[0]), state.cells.map((cell) => cell.caption));
    for (const row of state.rows) {
      assert.ok(Number.isFinite(Number(row[1])), `final loss ${row[1]}`);
      assert.ok(row[3] === '—' || Number(row[3]) >= 0, `distance ${row[3]}`);
    }
    await compare.locator('input.scrubber').fill('10');
    const scrubbed = await until(readCompare, (s) => s.step.startsWith('step 10 /'), 'the shared scrubber');
    assert.ok(scrubbed.cells.every((cell) => cell.points <= 11), 'every landscape shows step 10');
    await compare.locator('vscode-button.play').click();
    await until(readCompare, (s) => !s.step.startsWith('step 10 /'), 'playback');
    await compare.locator('vscode-button.play').click();
    await vscode.screenshot('compare');
  });

  test('Tune learning rates: a progress notification, then every run at its own best rate', async () => {
    const compare = await vscode.webviewFrame();
    const labels = () => compare.locator('.metrics tbody tr td:first-child').allTextContents();
    const before = await labels();
    await compare.locator('vscode-button.tune').click();
    const tuned = await until(labels, (now) => now.length === before.length && now.some((label, i) => label !== before[i]), 'the tuned runs', 120_000);
    for (const label of tuned) assert.match(label, /lr=/);
    const rows = await compare.locator('.metrics tbody tr').evaluateAll((rows) => rows.map((row) => [...row.cells].map((c) => c.textContent.trim())));
    for (const row of rows) assert.ok(Number.isFinite(Number(row[1])), `final loss ${row[1]}`);
    await vscode.screenshot('compare-tuned');
  });

  test('Export from the Compare panel: the button, a format, the save dialog, a PNG and an SVG in the workspace', async () => {
    const compare = await vscode.webviewFrame();
    const exportAs = async (label, file) => {
      await compare.locator('vscode-button.export').click();
      await vscode.pickQuickInput(label);
      // The save dialog (code-server's own, a quick input) proposes the file in the workspace folder.
      const path = vscode.page.locator('.quick-input-widget input');
      await until(() => path.inputValue(), (value) => value.endsWith(file), `the save dialog proposing ${file}`);
      await path.press('Enter');
      const written = join(vscode.workspace, file);
      // Written in chunks: wait for the whole file (a PNG ends with its IEND chunk, an SVG with </svg>).
      const complete = (bytes) => bytes?.length > 0 && (file.endsWith('.png') ? bytes.includes('IEND') : bytes.toString('utf8').trimEnd().endsWith('</svg>'));
      return until(() => (existsSync(written) ? readFileSync(written) : undefined), complete, `${file} to be written`);
    };
    const png = await exportAs('PNG image', 'optiscope-compare-rosenbrock.png');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const theme = await compare.locator('body').evaluate((b) => (b.classList.contains('vscode-dark') ? 'dark' : 'light'));
    mkdirSync(join(repoRoot, 'test-results', 'screenshots'), { recursive: true });
    writeFileSync(join(repoRoot, 'test-results', 'screenshots', `exported-compare-${theme}.png`), png);
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.ok(width > 300 && height > 100, `PNG ${width}x${height}`);
    const svg = (await exportAs('SVG', 'optiscope-compare-rosenbrock.svg')).toString('utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const runs = await compare.locator('.cell').count();
    assert.equal((svg.match(/<image /g) ?? []).length, runs, 'one heatmap per landscape');
    assert.equal((svg.match(/class="trajectory/g) ?? []).length >= runs, true, 'the trajectories');
    // Each landscape's caption (colour and run) is in the file, as on screen.
    for (const label of await compare.locator('.cell .legend-label').allTextContents()) assert.ok(svg.includes(`>${label}</text>`), `caption ${label}`);
  });

  test('canvas colours follow a theme change', async () => {
    const compare = await vscode.webviewFrame();
    const read = () =>
      compare.locator('body').evaluate(() => {
        const canvas = document.querySelector('canvas.landscape-canvas');
        const { data } = canvas.getContext('2d').getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1);
        return { dark: document.body.classList.contains('vscode-dark'), pixel: Array.from(data).join(',') };
      });
    const before = await read();
    await vscode.openCommand('Preferences: Toggle between Light/Dark Themes');
    const after = await until(read, (s) => s.dark !== before.dark && s.pixel !== before.pixel, 'the repaint in the other theme');
    assert.notEqual(after.pixel, before.pixel);
    await vscode.openCommand('Preferences: Toggle between Light/Dark Themes');
    await until(read, (s) => s.dark === before.dark && s.pixel === before.pixel, 'the repaint in the first theme');
  });
});
