// Layouts at laptop and desktop sizes (1024x700 with the Explorer open, 1920x1080, 4K) and beside an editor:
// every Compare cell at least MIN_CELL px high with its axis no wider than the cell's shape needs, every control
// of the Playground and Compare reachable (on screen, or by scrolling its own column, or one click away) and none
// cut off; a lesson's charts in sight beside its .loss file once the explanation is collapsed. Screenshots of each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, themes, until } from './harness.mjs';

const TIMEOUT = 60_000;
/** The issue's floor for a Compare cell's landscape (pixels). */
const MIN_CELL = 120;
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];
/** Compare and the Playground also at 4K. */
const PANEL_SIZES = [...SIZES, { width: 3840, height: 2160 }];

/**
 * In the webview: every control (component, input, button) that is rendered, where it can be brought into view.
 * Each is scrolled into view inside its own scroll container (never by scrolling the page); then it must be wholly
 * inside the viewport and inside every ancestor that clips. Returns the ones that are not, and what was checked.
 */
function readControls() {
  // The step counter too: it is read while playing.
  const selector = 'vscode-button, vscode-checkbox, vscode-single-select, vscode-textfield, vscode-collapsible, input, button, .step-text';
  const clips = (element) => {
    const style = getComputedStyle(element);
    return style.overflowX !== 'visible' || style.overflowY !== 'visible';
  };
  const shown = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  const controls = [...document.querySelectorAll(selector)].filter((c) => shown(c) && !c.parentElement.closest('vscode-collapsible:not([open])'));
  const problems = [];
  for (const control of controls) {
    control.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const box = control.getBoundingClientRect();
    const name = `${control.tagName.toLowerCase()}.${control.className || ''} "${(control.textContent || control.getAttribute('heading') || control.getAttribute('label') || '').trim().slice(0, 30)}"`;
    if (box.left < -0.5 || box.top < -0.5 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5) problems.push(`${name} outside the viewport: ${JSON.stringify([box.left, box.top, box.right, box.bottom].map(Math.round))} of ${innerWidth}x${innerHeight}`);
    // A vscode-collapsible's header is what is clicked: its body may be taller than its scroll container.
    const height = control.tagName === 'VSCODE-COLLAPSIBLE' ? Math.min(box.height, 26) : box.height;
    for (let parent = control.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (!clips(parent)) continue;
      const clip = parent.getBoundingClientRect();
      if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5 || box.top < clip.top - 0.5 || box.top + height > clip.bottom + 0.5) {
        problems.push(`${name} clipped by ${parent.tagName.toLowerCase()}.${parent.className}`);
        break;
      }
    }
  }
  const pageScrolled = document.scrollingElement.scrollTop !== 0 || document.scrollingElement.scrollLeft !== 0;
  // Back to the top: the screenshot shows the panel as opened.
  for (const element of document.querySelectorAll('*')) if (element.scrollTop) element.scrollTop = 0;
  return { count: controls.length, problems, pageScrolled, pageOverflows: document.scrollingElement.scrollWidth > innerWidth + 0.5 };
}

/**
 * In a webview: each landscape's size, its plot's size and the extent its axes show (from two ticks' values and
 * positions: the data units per pixel, then the plot's ends), and its trajectories.
 */
function readLandscapes(_body, selector) {
  const shownRange = (ticks, length, flip) => {
    const at = ticks.map((tick) => {
      const [, x, y] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(tick.getAttribute('transform'));
      return { value: Number(tick.textContent.replace('\u2212', '-')), px: Number(flip ? y : x) };
    });
    if (at.length < 2) return [NaN, NaN];
    const [a, b] = [at[0], at.at(-1)];
    const perPixel = (b.value - a.value) / (b.px - a.px);
    const ends = [a.value - a.px * perPixel, a.value + (length - a.px) * perPixel];
    return [Math.min(...ends), Math.max(...ends)];
  };
  return [...document.querySelectorAll(selector)].map((landscape) => {
    const box = landscape.getBoundingClientRect();
    const clip = landscape.querySelector('.landscape-overlay clipPath rect');
    const plot = { width: Number(clip.getAttribute('width')), height: Number(clip.getAttribute('height')) };
    return {
      width: box.width,
      height: box.height,
      plot,
      x: shownRange([...landscape.querySelectorAll('.axis-x .tick')], plot.width, false),
      y: shownRange([...landscape.querySelectorAll('.axis-y .tick')], plot.height, true),
      traces: landscape.querySelectorAll('path.trajectory').length,
    };
  });
}

describeWorkbench(
  'layouts',
  (vscode) => {
    const frame = (view) => vscode.webviewFrameOf(view);

    async function showExplorer() {
      await vscode.openCommand('View: Show Explorer');
      await vscode.page.locator('.part.sidebar .explorer-folders-view, .part.sidebar .explorer-viewlet').first().waitFor({ timeout: TIMEOUT });
    }

    for (const { width, height } of PANEL_SIZES) {
      const size = `${width}x${height}`;
      test(`${size}, Explorer open: Compare of five runs on Beale, every cell at least ${MIN_CELL} px high, no control cut off`, async () => {
        await vscode.openCommand('View: Close All Editors');
        await vscode.setWindowSize(width, height);
        await showExplorer();
        await vscode.pickAfterCommand('Optiscope: Compare Optimizers', "Beale's function");
        const compare = await frame('compare');
        const cells = await until(() => compare.locator('body').evaluate(readLandscapes, '.multiples .cell .landscape'), (c) => c.length === 5 && c.every((cell) => cell.traces === 1), 'five cells with their runs', TIMEOUT);
        const columns = await compare.locator('.multiples').evaluate((m) => getComputedStyle(m).gridTemplateColumns.split(' ').length);
        const round = (range) => range.map((v) => v.toFixed(2)).join('..');
        console.log(`${size} Compare: ${columns} columns, cells ${cells.map((c) => `${Math.round(c.width)}x${Math.round(c.height)} x ${round(c.x)} y ${round(c.y)}`).join(', ')}`);
        for (const cell of cells) {
          assert.ok(cell.height >= MIN_CELL, `a cell ${Math.round(cell.height)} px high (${size})`);
          // Beale's domain is x, y in [-4.5, 4.5]: it is all shown, and widened only as far as the plot's shape needs.
          const aspect = cell.plot.width / cell.plot.height;
          const [xSpan, ySpan] = [cell.x[1] - cell.x[0], cell.y[1] - cell.y[0]];
          // To a pixel (d3's axis puts its ticks half a pixel off).
          const pixel = xSpan / cell.plot.width;
          assert.ok(cell.x[0] <= -4.5 + pixel && cell.x[1] >= 4.5 - pixel && cell.y[0] <= -4.5 + pixel && cell.y[1] >= 4.5 - pixel, `the whole domain shown: x ${cell.x}, y ${cell.y}`);
          assert.ok(Math.abs(xSpan - 9 * Math.max(1, aspect)) < 0.01 * xSpan, `x spans ${xSpan} in a ${cell.plot.width}x${cell.plot.height} plot`);
          assert.ok(Math.abs(ySpan - 9 * Math.max(1, 1 / aspect)) < 0.01 * ySpan, `y spans ${ySpan} in a ${cell.plot.width}x${cell.plot.height} plot`);
        }
        const controls = await compare.locator('body').evaluate(readControls);
        console.log(`${size} Compare: ${controls.count} controls`, controls.problems);
        assert.deepEqual(controls.problems, [], `Compare at ${size}`);
        assert.equal(controls.pageOverflows, false, 'nothing wider than the panel');
        await vscode.screenshot(`layouts-compare-${size}`);
      });

      test(`${size}, Explorer open: every control of the Playground reachable and none cut off`, async () => {
        await vscode.openCommand('View: Close All Editors');
        await vscode.setWindowSize(width, height);
        await showExplorer();
        const playground = await vscode.openPlayground('Rosenbrock');
        await until(() => playground.locator('.controls .run').count(), (n) => n > 0, 'the controls', TIMEOUT);
        await until(() => playground.locator('.legend-item').count(), (n) => n > 0, 'the legend', TIMEOUT);
        const layout = await playground.locator('body').evaluate(() => {
          const box = (selector) => {
            const r = document.querySelector(selector)?.getBoundingClientRect();
            return r && { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) };
          };
          return { page: [innerWidth, innerHeight], landscape: box('.landscape'), controls: box('.controls'), chart: box('.loss-chart'), legend: box('.legend'), breakpoints: box('.debug') };
        });
        console.log(`${size} Playground`, JSON.stringify(layout));
        // The controls column shows (or one click on its toggle shows it).
        if (!(await playground.locator('.controls').isVisible())) await playground.locator('vscode-button.controls-toggle').click();
        await playground.locator('.controls .debug').waitFor();
        const controls = await playground.locator('body').evaluate(readControls);
        console.log(`${size} Playground: ${controls.count} controls`, controls.problems);
        assert.deepEqual(controls.problems, [], `Playground at ${size}`);
        assert.equal(controls.pageScrolled, false, 'every control reached without scrolling the page');
        assert.ok(layout.landscape.height >= 200, `the landscape is ${layout.landscape.height} px high`);
        await vscode.screenshot(`layouts-playground-${size}`);
      });
    }

    test('resizing the window down and back leaves the Playground showing what it showed (the view is not widened)', async () => {
      await vscode.openCommand('View: Close All Editors');
      await vscode.setWindowSize(1920, 1080);
      const playground = await vscode.openPlayground('Rosenbrock');
      const read = async () => (await playground.locator('body').evaluate(readLandscapes, '.landscape'))[0];
      const wide = await until(read, (l) => l && l.plot.width > 1000 && Number.isFinite(l.x[0]), 'the landscape at 1920x1080', TIMEOUT);
      await vscode.setWindowSize(1024, 700);
      const narrow = await until(read, (l) => l.plot.width < 600 && Number.isFinite(l.x[0]), 'the landscape at 1024x700', TIMEOUT);
      await vscode.setWindowSize(1920, 1080);
      const again = await until(read, (l) => l.plot.width === wide.plot.width && l.plot.height === wide.plot.height, 'the landscape at 1920x1080 again', TIMEOUT);
      console.log('Playground extent at 1920x1080, 1024x700, 1920x1080:', JSON.stringify([wide, narrow, again].map((l) => ({ plot: l.plot, x: l.x, y: l.y }))));
      // Rosenbrock's domain, x in [-2, 2] and y in [-1, 3], is shown whole at each size; back at the first size, as it was.
      for (const l of [wide, narrow, again]) {
        const pixel = (l.x[1] - l.x[0]) / l.plot.width;
        assert.ok(l.x[0] <= -2 + pixel && l.x[1] >= 2 - pixel && l.y[0] <= -1 + pixel && l.y[1] >= 3 - pixel, `the domain shown: x ${l.x}, y ${l.y}`);
      }
      const pixel = (wide.x[1] - wide.x[0]) / wide.plot.width;
      for (const axis of ['x', 'y']) for (const end of [0, 1]) assert.ok(Math.abs(again[axis][end] - wide[axis][end]) <= pixel, `${axis} ${again[axis]} vs ${wide[axis]}`);
    });

    for (const { width, height } of SIZES) {
      const size = `${width}x${height}`;
      test(`${size}: a lesson beside its .loss file, the charts in sight with the explanation collapsed`, async () => {
        await vscode.openCommand('View: Close All Editors');
        await vscode.setWindowSize(width, height);
        await vscode.pickAfterCommand('Optiscope: Open Lesson…', 'Adam vs AMSGrad', { label: true });
        const playground = await frame('playground');
        await until(() => playground.locator('.regret-chart .series-lines path').count(), (n) => n === 2, 'the regret chart', TIMEOUT);
        await vscode.screenshot(`layouts-lesson-${size}`);
        const summary = playground.locator('.lesson vscode-collapsible');
        if ((await summary.getAttribute('open')) !== null) await summary.click({ position: { x: 10, y: 10 } });
        const charts = await until(
          () =>
            playground.locator('body').evaluate(() => {
              // Titles and tick labels: none cut off by its chart's edge.
              const titles = [...document.querySelectorAll('.side-charts .chart-title, .side-charts .tick text')].map((title) => {
                const svg = title.ownerSVGElement.getBoundingClientRect();
                const box = title.getBoundingClientRect();
                return { text: title.textContent, inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5 };
              });
              const bottom = Math.max(...['.loss-chart', '.side-charts', '.legend'].map((s) => document.querySelector(s).getBoundingClientRect().bottom));
              return { titles, bottom, height: innerHeight, width: innerWidth, lessonOpen: document.querySelector('.lesson vscode-collapsible')?.open };
            }),
          (c) => c.lessonOpen === false,
          'the explanation collapsed',
        );
        console.log(`${size} lesson beside the editor`, JSON.stringify({ ...charts, titles: charts.titles.filter((t) => !t.inside || /[a-z]/.test(t.text)) }));
        for (const title of charts.titles) assert.ok(title.inside, `"${title.text}" cut off`);
        assert.ok(charts.titles.length > 4, 'titles and tick labels read');
        assert.ok(charts.bottom <= charts.height + 0.5, `the charts end at ${charts.bottom} of ${charts.height} px`);
        const controls = await playground.locator('body').evaluate(readControls);
        console.log(`${size} lesson: ${controls.count} controls`, controls.problems);
        assert.deepEqual(controls.problems, [], `the lesson's Playground at ${size}`);
        await vscode.screenshot(`layouts-lesson-collapsed-${size}`);
        // Narrow beside the editor, the controls are a drawer: one click opens it, every control in it is reachable, Close closes it.
        if (!(await playground.locator('.controls').isVisible())) {
          await playground.locator('vscode-button.controls-toggle').click();
          await playground.locator('.controls .debug').waitFor();
          const drawer = await playground.locator('body').evaluate(readControls);
          console.log(`${size} lesson, controls drawer: ${drawer.count} controls`, drawer.problems);
          assert.deepEqual(drawer.problems, [], 'the controls drawer');
          await vscode.screenshot(`layouts-lesson-drawer-${size}`);
          await playground.locator('vscode-button.controls-close').click();
          await playground.locator('.controls').waitFor({ state: 'hidden' });
        }
      });
    }
  },
  // Layout does not depend on the colours: one theme.
  { dark: themes.dark },
);
