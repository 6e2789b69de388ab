// Pure view logic of the panels' webview: colour scale, geometry, trajectories, playback, option fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { valueTransform, contourLevels, transformGrid, heatmapPixels } = await loadTs('webview/landscape/colorScale.ts');
const { bestColumns, fitExtent, gridSize, gridToPixelMatrix, rowHeight, rowsFit } = await loadTs('webview/landscape/geometry.ts');
const traces = await loadTs('webview/runs/traces.ts');
const { Playback } = await loadTs('webview/playback/playback.ts');
const { parseOption, formatOption } = await loadTs('webview/controls/options.ts');

function trace(points, label = 'run') {
  // rows of [x, y, loss, gradNorm]
  return { label, optimizer: 'sgd', dim: 2, rows: Float64Array.from(points.flat()), rowCount: points.length, status: 'completed', stoppedAt: points.length - 1 };
}

test('colour scale: linear for evenly spread values, log for a steep-walled valley', () => {
  const even = Float64Array.from({ length: 100 }, (_, i) => i);
  assert.equal(valueTransform(even, 0, 99).kind, 'linear');
  const valley = Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? i * 0.01 : 1000 * i));
  const log = valueTransform(valley, 0, 99000);
  assert.equal(log.kind, 'log');
  for (const v of [0, 0.5, 10, 99000]) assert.ok(Math.abs(log.inverse(log.forward(v)) - v) < 1e-9 * Math.max(1, v));
  assert.ok(log.forward(0) === log.domain[0] && Math.abs(log.forward(99000) - log.domain[1]) < 1e-12);
});

test('colour scale: a flat or non-finite landscape still has a usable domain', () => {
  const flat = valueTransform(new Float64Array(4).fill(3), 3, 3);
  assert.equal(flat.kind, 'linear');
  assert.ok(flat.domain[1] > flat.domain[0]);
  const broken = valueTransform(new Float64Array([NaN, NaN]), NaN, NaN);
  assert.deepEqual(broken.domain, [0, 1]);
});

test('contour levels are evenly spaced strictly inside the domain; NaN survives the transform', () => {
  const t = valueTransform(Float64Array.from([0, 1, 2, 3, 4]), 0, 4);
  assert.deepEqual(contourLevels(t, 3), [1, 2, 3]);
  const grid = transformGrid([1, Infinity, NaN], t);
  assert.equal(grid[0], 1);
  assert.ok(Number.isNaN(grid[1]) && Number.isNaN(grid[2]));
});

test('heatmap pixels put the largest y on the top row and leave NaN transparent', () => {
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) palette.set([i, 255 - i, 7], i * 3);
  // 2x2 grid, y outer: row j=0 is the bottom.
  const pixels = heatmapPixels(Float64Array.from([0, 1, NaN, 0.5]), 2, 2, [0, 1], palette);
  assert.deepEqual(Array.from(pixels.slice(0, 8)), [0, 0, 0, 0, 128, 127, 7, 255]); // top row: NaN, 0.5
  assert.deepEqual(Array.from(pixels.slice(8, 16)), [0, 255, 7, 255, 255, 0, 7, 255]); // bottom row: 0, 1
});

test('fitExtent keeps one data unit equally long in x and y', () => {
  const fitted = fitExtent({ x: [-2, 2], y: [-1, 3] }, 800, 400);
  assert.deepEqual(fitted.y, [-1, 3]);
  assert.deepEqual(fitted.x, [-4, 4]);
  assert.equal((fitted.x[1] - fitted.x[0]) / 800, (fitted.y[1] - fitted.y[0]) / 400);
});

test('small multiples: the columns that draw a square landscape largest follow the space the cells have', () => {
  const none = { gap: 0, x: 0, y: 0 };
  // Five cells: a wide strip puts them in a row, a tall column one under another, a square area 3 x 2.
  assert.equal(bestColumns(5, 1000, 200, 1, none), 5);
  assert.equal(bestColumns(5, 200, 1000, 1, none), 1);
  assert.equal(bestColumns(5, 600, 400, 1, none), 3);
  // A wide extent (4:1) in a square area: one column of five flat cells beats a row of five narrow ones.
  assert.equal(bestColumns(5, 500, 500, 4, none), 1);
  // Every cell loses its axes' room: two cells side by side in 800 x 700, unless 300 px of axes leave each 100 px.
  assert.equal(bestColumns(2, 800, 700, 1, none), 2);
  assert.equal(bestColumns(2, 800, 700, 1, { gap: 0, x: 300, y: 0 }), 1);
  assert.equal(bestColumns(2, 1000, 400, 1, { gap: 8, x: 56, y: 48 }), 2);
  // Cells no narrower than minWidth: five in a 1000 x 370 strip would go in a row of 193 px; 240 px keeps 3 x 2.
  const cells = { gap: 8, x: 56, y: 48 };
  assert.equal(bestColumns(5, 1000, 370, 1, cells), 5);
  assert.equal(bestColumns(5, 1000, 370, 1, { ...cells, minWidth: 240 }), 3);
  assert.equal(bestColumns(3, 200, 900, 1, { ...cells, minWidth: 240 }), 1, 'one column even when narrower');
  // A tie keeps the fewer columns; four cells in a square go 2 x 2; one cell is one column.
  assert.equal(bestColumns(2, 800, 800, 1, none), 1);
  assert.equal(bestColumns(4, 400, 400, 1, none), 2);
  assert.equal(bestColumns(1, 1000, 100, 1, none), 1);
});

test('small multiples: cells are never squashed below minHeight; fewer columns that fit, else the fewest rows to scroll', () => {
  // A wide extent (4:1) in 500 x 500: one column of five would be 100 px high; with cells of at least 136 px, 2 x 3 fits.
  assert.equal(bestColumns(5, 500, 500, 4, { gap: 0, x: 0, y: 0 }), 1);
  assert.equal(bestColumns(5, 500, 500, 4, { gap: 0, x: 0, y: 0, minHeight: 136 }), 2);
  // Five Beale cells in a 676 x 250 strip (1024x700 with the Explorer open): no layout fits; two columns scroll least.
  const laptop = { gap: 8, x: 56, y: 48, minWidth: 240, minHeight: 136 };
  assert.equal(bestColumns(5, 676, 250, 1, laptop), 2);
  assert.equal(rowsFit(5, 2, 250, laptop), false);
  assert.equal(rowHeight(3, 250, laptop), 136, 'the rows keep their minimum and scroll');
  // With 470 px the same three rows fit (each (470 - 16) / 3 = 151 px high).
  assert.equal(rowsFit(5, 2, 470, laptop), true);
  assert.equal(rowHeight(3, 470, laptop), (470 - 16) / 3);
  // At 1920x1080 the five cells fit in one row of 376 px cells (minHeight does not get in the way).
  assert.equal(bestColumns(5, 1904, 560, 1, laptop), 5);
});

test('gridSize puts the resolution on the longer side', () => {
  assert.deepEqual(gridSize(800, 400, 256), [256, 128]);
  assert.deepEqual(gridSize(300, 600, 256), [128, 256]);
  assert.deepEqual(gridSize(1000, 1, 256), [256, 2]);
});

test("gridToPixelMatrix maps d3-contour's sample centres (i + 0.5) onto the samples' pixels", () => {
  const extent = { x: [0, 10], y: [0, 5] };
  const px = (x) => 20 * x + 3;
  const py = (y) => 100 - 10 * y;
  const [a, d, e, f] = gridToPixelMatrix(extent, [11, 6], px, py);
  // grid sample i=4 (x=4) sits at contour coordinate 4.5; sample j=2 (y=2) at 2.5
  assert.equal(a * 4.5 + e, px(4));
  assert.equal(d * 2.5 + f, py(2));
});

test('trajectory rows: params, loss, gradient norm, and the row shown at a step', () => {
  const t = trace([[0, 0, 5, 1], [1, 2, 3, 0.5], [2, 4, 1, 0.1]]);
  assert.deepEqual(traces.paramsAt(t, 1), [1, 2]);
  assert.deepEqual(traces.positionAt(t, 2), [2, 4]);
  assert.equal(traces.lossAt(t, 2), 1);
  assert.equal(traces.gradNormAt(t, 1), 0.5);
  assert.equal(traces.rowAtStep(t, 1.7), 1);
  assert.equal(traces.rowAtStep(t, 99), 2);
  assert.equal(traces.longestRun([t, trace([[0, 0, 1, 1]])]), 2);
});

test('pixelPath drops sub-pixel moves and stops at a non-finite position; pathUpTo cuts it at a row', () => {
  const t = trace([[0, 0, 1, 1], [0.1, 0, 1, 1], [0.2, 0, 1, 1], [5, 0, 1, 1], [5.1, 0, 1, 1], [NaN, 0, 1, 1]]);
  const toPixel = (x, y) => [x, y];
  const path = traces.pixelPath(t, toPixel);
  assert.deepEqual(path, { rows: [0, 3], points: [[0, 0], [5, 0]] });
  const upTo = (row) => traces.pathUpTo(path, row, toPixel(...traces.positionAt(t, row)));
  assert.deepEqual(upTo(0), [[0, 0]]);
  assert.deepEqual(upTo(2), [[0, 0], [0.2, 0]]); // ends exactly at row 2
  assert.deepEqual(upTo(3), [[0, 0], [5, 0]]);
  assert.deepEqual(upTo(4), [[0, 0], [5, 0], [5.1, 0]]);
  assert.deepEqual(upTo(5), [[0, 0], [5, 0]]); // the non-finite row is not drawn
});

test('nearestRow finds the closest drawn row within the radius', () => {
  const a = trace([[0, 0, 1, 1], [10, 0, 1, 1], [20, 0, 1, 1]]);
  const b = trace([[0, 10, 1, 1], [11, 11, 1, 1]]);
  const toPixel = (x, y) => [x, y];
  assert.deepEqual(traces.nearestRow([a, b], 5, toPixel, 11, 9, 5), { trace: 1, row: 1, distance: 2 });
  assert.equal(traces.nearestRow([a, b], 0, toPixel, 20, 0, 5), undefined); // row 2 not drawn at step 0
  assert.equal(traces.nearestRow([a, b], 5, toPixel, 50, 50, 5), undefined);
  // A slow run piles rows onto one pixel: the latest one drawn is shown.
  const slow = trace([[0, 0, 1, 1], [5, 5, 1, 1], [5.2, 5, 1, 1], [5.3, 5.1, 1, 1], [9, 9, 1, 1]]);
  assert.equal(traces.nearestRow([slow], 3, toPixel, 5, 5, 5).row, 3);
});

test('loss axis: log while every loss is positive, symlog once one reaches 0', () => {
  assert.equal(traces.lossAxisKind([trace([[0, 0, 3, 1], [0, 0, 1e-9, 1]])]), 'log');
  assert.equal(traces.lossAxisKind([trace([[0, 0, 3, 1], [0, 0, 0, 1]])]), 'symlog');
  assert.deepEqual(traces.lossExtent([trace([[0, 0, 3, 1], [0, 0, NaN, 1], [0, 0, 0.5, 1]])]), [0.5, 3]);
  assert.deepEqual(traces.lossExtent([]), [0, 1]);
});

test('playback advances with time at its speed, stops at the end, restarts from the start', () => {
  const playback = new Playback(100, 50);
  playback.play();
  assert.equal(playback.frame(1000), false); // first frame only records the time
  assert.equal(playback.frame(1200), true);
  assert.equal(playback.step, 10);
  playback.frame(4000);
  assert.equal(playback.step, 100);
  assert.equal(playback.playing, false);
  playback.play();
  assert.equal(playback.step, 0);
  playback.pause();
  assert.equal(playback.frame(9000), false);
  playback.seek(250);
  assert.equal(playback.step, 100);
  playback.setLastStep(40);
  assert.equal(playback.step, 40);
});

test('option fields parse like the option they edit', () => {
  assert.equal(parseOption('0.01', 0.001), 0.01);
  assert.equal(parseOption('1e-3', 0.001), 0.001);
  assert.equal(parseOption('', 0.001), undefined);
  assert.equal(parseOption('fast', 0.001), undefined);
  assert.deepEqual(parseOption('0.8, 0.99', [0.9, 0.999]), [0.8, 0.99]);
  assert.equal(parseOption('0.8', [0.9, 0.999]), undefined);
  assert.equal(parseOption('true', false), true);
  assert.equal(formatOption([0.9, 0.999]), '0.9, 0.999');
});

const { runMetrics, statusText } = await loadTs('webview/runs/metrics.ts');

test('metrics: final loss, steps to tolerance, distance to the nearest minimum, divergence', () => {
  const minima = [{ point: [1, 1], value: 0 }, { point: [-1, 0], value: 0.5 }];
  const run = trace([[3, 3, 10, 1], [2, 1, 0.6, 1], [1, 1.001, 0.0005, 1]]);
  assert.deepEqual(runMetrics(run, minima, 1e-3), { finalLoss: 0.0005, stepsToTolerance: 2, distanceToMinimum: 0.0009999999999998899, divergedAt: undefined });
  assert.equal(runMetrics(run, minima, 0.7).stepsToTolerance, 1);
  assert.equal(runMetrics(run, [], 1).stepsToTolerance, undefined);
  assert.equal(runMetrics(run, [], 1).distanceToMinimum, undefined);
  const diverged = { ...trace([[0, 0, 1, 1], [Infinity, NaN, NaN, NaN]]), status: 'diverged', stoppedAt: 1 };
  const metrics = runMetrics(diverged, minima, 1e-3);
  assert.equal(metrics.divergedAt, 1);
  assert.equal(metrics.distanceToMinimum, undefined);
  assert.equal(statusText(diverged, String), 'diverged at step 1');
  assert.equal(statusText(run, String), 'final loss 0.0005');
});

/** A canvas whose 2-D context records the polylines stroked since the last clearRect, with their colours. */
function recordingCanvas() {
  const strokes = [];
  let current = [];
  const context = {
    strokeStyle: '',
    save() {}, restore() {}, setTransform() {}, rect() {}, clip() {},
    clearRect: () => strokes.splice(0),
    beginPath: () => (current = []),
    moveTo: (x, y) => current.push([x, y]),
    lineTo: (x, y) => current.push([x, y]),
    stroke() { strokes.push({ color: context.strokeStyle, points: current }); },
  };
  return { style: {}, width: 0, height: 0, getContext: () => context, strokes };
}

test('playback trails: drawing step by step strokes the same trajectory as drawing it at once; going back redraws', async () => {
  globalThis.document = { createElement: () => recordingCanvas() };
  const { TrailLayer } = await loadTs('webview/landscape/trailLayer.ts');
  const zigzag = trace(Array.from({ length: 60 }, (_, i) => [i * 0.5, i % 2 ? 1 : -1, 1, 1]));
  const toPixel = (x, y) => [x * 10, 50 - y * 10];
  const scene = { traces: [zigzag], paths: [traces.pixelPath(zigzag, toPixel)], colors: ['#f00'], halo: '#000', toPixel };
  const joined = (strokes) => strokes.flatMap((s, k) => (k === 0 ? s.points : s.points.slice(1)));

  const stepwise = new TrailLayer();
  for (let step = 0; step <= 59; step += 1) stepwise.draw(scene, step);
  const once = new TrailLayer();
  once.draw(scene, 59);
  const expected = traces.pathUpTo(scene.paths[0], 59, toPixel(...traces.positionAt(zigzag, 59)));
  assert.equal(stepwise.lines.strokes.length, 59, 'one segment a frame');
  assert.deepEqual(joined(stepwise.lines.strokes), expected);
  assert.deepEqual(joined(once.lines.strokes), expected);
  assert.ok(stepwise.lines.strokes.every((s) => s.color === '#f00'));
  assert.equal(stepwise.halo.strokes.length, 59, 'each segment gets its halo');

  stepwise.draw(scene, 20);
  assert.deepEqual(joined(stepwise.lines.strokes), traces.pathUpTo(scene.paths[0], 20, toPixel(...traces.positionAt(zigzag, 20))), 'back to step 20: cleared and redrawn');
  stepwise.draw({ ...scene, colors: ['#0f0'] }, 21);
  assert.equal(stepwise.lines.strokes.length, 1, 'new colours: redrawn from the start');
  assert.equal(stepwise.lines.strokes[0].color, '#0f0');
  delete globalThis.document;
});
