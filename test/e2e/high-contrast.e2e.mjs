// High contrast (Default High Contrast and Default High Contrast Light), one short suite instead of every file
// twice more: the Playground and Compare open, draw, and take the theme's contrast borders; screenshots per theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, highContrastThemes, until } from './harness.mjs';

/** The panel's theme and the colours its bordered parts use. */
const readColours = (frame) =>
  frame.locator('body').evaluate(() => {
    const style = (selector, property) => {
      const element = document.querySelector(selector);
      return element ? getComputedStyle(element).getPropertyValue(property) : '';
    };
    const probe = document.createElement('div');
    probe.style.color = 'var(--vscode-contrastBorder)';
    document.body.append(probe);
    const contrastBorder = getComputedStyle(probe).color;
    probe.remove();
    const paths = [...document.querySelectorAll('path.trajectory')];
    return {
      classes: document.body.className,
      contrastBorder,
      landscapeBorder: style('.landscape', 'border-top-color'),
      landscapeBorderWidth: style('.landscape', 'border-top-width'),
      legendBorder: style('.legend', 'border-top-color'),
      tableBorder: style('.metrics td', 'border-bottom-color'),
      cellBorder: style('.cell .landscape', 'border-top-color'),
      trajectories: paths.filter((p) => (p.getAttribute('d') ?? '').includes('L')).length,
      canvasPainted: (() => {
        const canvas = document.querySelector('canvas.landscape-canvas');
        return Boolean(canvas && canvas.width > 0 && canvas.getContext('2d').getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data[3] > 0);
      })(),
    };
  });

describeWorkbench(
  'high-contrast',
  (vscode) => {
    test('Playground and Compare draw with the high-contrast borders', async () => {
      const frame = await vscode.openPlayground('Rosenbrock');
      const playground = await until(() => readColours(frame), (s) => s.canvasPainted && s.trajectories > 0, 'the Playground');
      assert.match(playground.classes, /vscode-high-contrast/);
      assert.notEqual(playground.contrastBorder, '', 'the theme defines contrastBorder');
      assert.equal(playground.landscapeBorder, playground.contrastBorder, 'the plot is framed in contrastBorder');
      assert.equal(playground.landscapeBorderWidth, '1px');
      assert.equal(playground.legendBorder, playground.contrastBorder, 'the legend is framed in contrastBorder');
      await vscode.screenshot('high-contrast-playground');

      await frame.locator('vscode-button.compare').click();
      const compare = await vscode.webviewFrameOf('compare');
      const state = await until(() => readColours(compare), (s) => s.canvasPainted && s.trajectories > 0 && s.tableBorder !== '', 'the Compare panel drawn');
      assert.equal(state.tableBorder, state.contrastBorder, 'the metrics rows are ruled in contrastBorder');
      assert.equal(state.cellBorder, state.contrastBorder, 'each small multiple is framed in contrastBorder');
      await vscode.screenshot('high-contrast-compare');
    });
  },
  highContrastThemes,
);
