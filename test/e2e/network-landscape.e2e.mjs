// A network's loss landscape in code-server: New Network… on the spiral; beside the decision regions, the PCA plane
// of both runs' paths (its heatmap painted, both paths drawn, the variance fractions in the caption); random
// filter-normalized directions, the Hessian's eigenvectors and the plane through the runs' ends give other slices,
// and the slice shows as a 3-D surface too. Screenshots per theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

function readLandscape(frame) {
  return frame.locator('body').evaluate(() => {
    const panel = document.querySelector('.network-landscape');
    const canvas = panel?.querySelector('canvas.landscape-canvas');
    let painted = 0;
    let hash = 0;
    if (canvas && canvas.width > 0) {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 0; i < data.length; i += 4 * 7) {
        if (data[i + 3] > 0) painted++;
        hash = (Math.imul(hash, 31) + data[i] + 3 * data[i + 1] + 7 * data[i + 2]) | 0;
      }
    }
    return {
      shown: panel !== null && !panel.hidden,
      painted,
      hash,
      paths: [...(panel?.querySelectorAll('.trajectories path') ?? [])].filter((p) => (p.getAttribute('d') ?? '').length > 20).length,
      contours: panel?.querySelectorAll('.contours path').length ?? 0,
      stars: panel?.querySelectorAll('.network-landscape-view path.minimum').length ?? 0,
      surface: (() => {
        const surface = panel?.querySelector('.surface3d');
        const canvas = surface?.querySelector('canvas.surface3d-canvas');
        if (!surface || surface.hidden || !canvas || canvas.width === 0) return 0;
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let drawn = 0;
        for (let i = 3; i < data.length; i += 4 * 7) if (data[i] > 0) drawn++;
        return drawn;
      })(),
      caption: panel?.querySelector('.network-landscape-caption')?.textContent ?? '',
      error: document.querySelector('.error')?.hidden === false ? document.querySelector('.error').textContent : '',
    };
  });
}

describeWorkbench('network-landscape', (vscode) => {
  let frame;

  test('the PCA plane of the runs\' paths: heatmap, contours, both paths and the variance captured', async () => {
    await vscode.pickAfterCommand('Optiscope: New Network…', 'Spiral', { label: true });
    frame = await vscode.webviewFrameOf('playground');
    const state = await until(() => readLandscape(frame), (s) => s.shown && s.painted > 100 && s.paths >= 2 && /PCA directions/.test(s.caption), 'the PCA landscape', 120_000);
    assert.equal(state.error, '');
    const [first, second] = [...state.caption.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
    assert.ok(first > 0 && first <= 100 && second >= 0 && first + second <= 100.05, state.caption);
    assert.ok(state.contours > 0, 'contours drawn');
    await frame.locator('.network-landscape').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-landscape-pca');
  });

  test('random filter-normalized directions give another slice', async () => {
    const before = await readLandscape(frame);
    await frame.locator('vscode-single-select.network-landscape-kind').evaluate((select) => {
      select.value = 'random';
      select.dispatchEvent(new Event('change'));
    });
    const state = await until(() => readLandscape(frame), (s) => /Filter-normalized random directions/.test(s.caption) && s.painted > 100 && s.hash !== before.hash, 'the random slice', 120_000);
    assert.equal(state.error, '');
    assert.match(state.caption, /seed 1/);
  });

  test('the Hessian\'s top eigenvectors at the shown step, with their eigenvalues', async () => {
    const before = await readLandscape(frame);
    await frame.locator('vscode-single-select.network-landscape-kind').evaluate((select) => {
      select.value = 'hessian';
      select.dispatchEvent(new Event('change'));
    });
    const state = await until(() => readLandscape(frame), (s) => /Hessian's top eigenvectors/.test(s.caption) && s.painted > 100 && s.hash !== before.hash, 'the Hessian slice', 120_000);
    assert.equal(state.error, '');
    const [top, second] = [...state.caption.matchAll(/eigenvalues (\S+) and (\S+)\)/g)][0].slice(1).map(Number);
    assert.ok(Number.isFinite(top) && Math.abs(top) >= Math.abs(second), state.caption);
    assert.match(state.caption, /at step 1000/);
  });

  test('the plane through the runs\' ends, with the ends starred, then as a 3-D surface', async () => {
    const before = await readLandscape(frame);
    await frame.locator('vscode-single-select.network-landscape-kind').evaluate((select) => {
      select.value = 'between';
      select.dispatchEvent(new Event('change'));
    });
    const state = await until(() => readLandscape(frame), (s) => /plane through the runs' ends/.test(s.caption) && s.painted > 100 && s.hash !== before.hash, 'the plane of the ends', 120_000);
    assert.equal(state.error, '');
    assert.equal(state.stars, 2, 'the two other ends are starred');
    assert.ok(state.paths >= 2, 'both paths projected on the plane');
    assert.match(state.caption, /end at \(1, 0\)/);
    assert.equal(state.surface, 0, 'no surface until asked');
    await frame.locator('vscode-single-select.network-landscape-mode').evaluate((select) => {
      select.value = '3d';
      select.dispatchEvent(new Event('change'));
    });
    const surface = await until(() => readLandscape(frame), (s) => s.surface > 1000, 'the 3-D surface drawn', 30_000);
    assert.equal(surface.error, '');
    await frame.locator('.network-landscape').scrollIntoViewIfNeeded();
    await vscode.screenshot('network-landscape-between-3d');
  });
});
