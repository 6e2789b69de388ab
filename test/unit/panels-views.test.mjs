// The extra views' pure parts: 3-D projection and mesh, step and field arrows, hyper-parameter sweeps,
// compact tick labels, the gradient columns sent with the step arrows, and the display state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const projection = await loadTs('webview/landscape/projection.ts');
const { valueTransform } = await loadTs('webview/landscape/colorScale.ts');
const { stepVectors, screenDirection, surfaceDirection, arrowPath, fieldArrows } = await loadTs('webview/landscape/arrows.ts');
const { sweepableOptions, defaultSweepValues, parseSweepValues, sweepProblem, sweepScenario } = await loadTs('src/shared/sweep.ts');
const { plottedGradient, runLabel } = await loadTs('src/shared/scenario.ts');
const { compactTick } = await loadTs('webview/charts/lossChart.ts');
const { atLeast, fieldGridSize, FIELD_SPACING, stepArrowPaths } = await loadTs('webview/landscape/vectorOverlays.ts');
const { parsePanelState, parseDisplayOptions, parseFromWebview, DEFAULT_DISPLAY } = await loadTs('src/shared/protocol.ts');

const close = (a, b, eps = 1e-9) => Math.abs(a - b) <= eps;

function trace(points, grad) {
  // rows of [x, y, loss, gradNorm]
  const t = { label: 'run', optimizer: 'sgd', dim: 2, rows: Float64Array.from(points.flat()), rowCount: points.length, status: 'completed', stoppedAt: points.length - 1 };
  if (grad) t.grad = Float64Array.from(grad.flat());
  return t;
}

test('projection: from straight above, x goes right and y goes up the screen, nearer heights are in front', () => {
  const project = projection.projector({ yaw: 0, elevation: Math.PI / 2, zoom: 1 }, 200, 100);
  const [cx, cy] = project(0, 0, 0);
  assert.ok(close(cx, 100) && close(cy, 50));
  const [rx, ry] = project(1, 0, 0);
  assert.ok(rx > cx && close(ry, cy, 1e-9));
  const [ux, uy] = project(0, 1, 0);
  assert.ok(close(ux, cx, 1e-9) && uy < cy);
  // Higher points are nearer the viewer above: smaller depth.
  assert.ok(project(0, 0, 0.5)[2] < project(0, 0, -0.5)[2]);
  // The scale follows the smaller side and the zoom.
  const zoomed = projection.projector({ yaw: 0, elevation: Math.PI / 2, zoom: 2 }, 200, 100);
  assert.ok(close(zoomed(1, 0, 0)[0] - 100, 2 * (rx - 100)));
});

test('projection: from the side, height goes up the screen and y goes into it; yaw turns about the vertical', () => {
  const side = projection.projector({ yaw: 0, elevation: 0, zoom: 1 }, 100, 100);
  assert.ok(side(0, 0, 0.5)[1] < side(0, 0, 0)[1]);
  assert.ok(side(0, 1, 0)[2] > side(0, -1, 0)[2]);
  assert.ok(close(side(0, 1, 0)[1], side(0, 0, 0)[1]));
  // A quarter turn takes +y to where +x was drawn... across the screen, at the same distance from the centre.
  const turned = projection.projector({ yaw: -Math.PI / 2, elevation: 0, zoom: 1 }, 100, 100);
  assert.ok(close(turned(0, 1, 0)[0], side(1, 0, 0)[0], 1e-9));
  // An orthographic projection keeps lengths across the screen whatever the depth.
  assert.ok(close(side(1, -1, 0)[0] - side(0, -1, 0)[0], side(1, 1, 0)[0] - side(0, 1, 0)[0]));
});

test('camera: drags rotate and clamp the elevation, the wheel zooms within its range', () => {
  const start = projection.DEFAULT_CAMERA;
  const turned = projection.rotateCamera(start, 100, 0);
  assert.ok(close(turned.yaw, start.yaw - 1) && turned.elevation === start.elevation);
  assert.equal(projection.rotateCamera(start, 0, 10_000).elevation, projection.ELEVATION_RANGE[1]);
  assert.equal(projection.rotateCamera(start, 0, -10_000).elevation, projection.ELEVATION_RANGE[0]);
  assert.ok(projection.zoomCamera(start, -100).zoom > start.zoom);
  assert.ok(projection.zoomCamera(start, 100).zoom < start.zoom);
  assert.equal(projection.zoomCamera(start, -1e6).zoom, projection.ZOOM_RANGE[1]);
  assert.equal(projection.zoomCamera(start, 1e6).zoom, projection.ZOOM_RANGE[0]);
});

test('surface mesh: resampled into the unit box, heights and colours follow the (log-aware) colour scale', () => {
  // f = x^2 + y^2 on a 9 x 9 grid over [-1, 1]^2: linear colour scale (values spread evenly).
  const n = 9;
  const values = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = (-1 + (2 * i) / (n - 1)) ** 2 + (-1 + (2 * j) / (n - 1)) ** 2;
  const data = { loss: 'sphere', x: [-1, 1], y: [-1, 1], size: [n, n], values, min: 0, max: 2 };
  const transform = valueTransform(values, 0, 2);
  assert.equal(transform.kind, 'linear');
  const mesh = projection.surfaceMesh(data, transform, projection.heightTransform(transform, 0, 2), 5);
  assert.equal(mesh.nx, 5);
  assert.equal(mesh.ny, 5);
  assert.deepEqual([mesh.xs[0], mesh.xs[4], mesh.ys[0], mesh.ys[20]], [-1, 1, -1, 1]);
  // The centre is the lowest point, the corners the highest; colours span [0, 1].
  const centre = 2 * 5 + 2;
  assert.equal(Math.min(...mesh.zs), mesh.zs[centre]);
  assert.ok(mesh.zs[0] > mesh.zs[centre] && mesh.zs[0] <= projection.SURFACE_HEIGHT / 2);
  assert.ok(mesh.colour.every((c) => c >= 0 && c <= 1));
  // The trajectory mapping lifts a loss value to the same height scale.
  const box = projection.boxMapping(data, transform);
  assert.ok(close(box.z(0), -projection.SURFACE_HEIGHT / 2) && close(box.z(2), projection.SURFACE_HEIGHT / 2));
  assert.ok(close(box.x(0), 0) && close(box.y(1), 1));
  assert.equal(box.z(1e9), projection.SURFACE_HEIGHT / 2, 'clamped above');
});

test('surface heights: a linear colour scale is kept; a log one is softened but keeps its order and ends', () => {
  const linear = valueTransform(Float64Array.from([0, 1, 2, 3]), 0, 3);
  assert.equal(projection.heightTransform(linear, 0, 3), linear);
  const valley = Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? i * 0.01 : 1000 * i));
  const colours = valueTransform(valley, 0, 99000);
  const heights = projection.heightTransform(colours, 0, 99000);
  const position = (t, v) => (t.forward(v) - t.domain[0]) / (t.domain[1] - t.domain[0]);
  assert.ok(close(position(heights, 0), 0) && close(position(heights, 99000), 1, 1e-12));
  // Small heights above the minimum flatten towards the floor.
  assert.ok(position(heights, 1) < position(colours, 1) / 10);
  assert.ok(position(heights, 1) < position(heights, 2));
});

test('surface mesh: a non-finite loss leaves a hole; quads come back to front', () => {
  const values = Float64Array.from([0, 1, NaN, 1]);
  const data = { loss: 'x', x: [0, 1], y: [0, 1], size: [2, 2], values, min: 0, max: 1 };
  const mesh = projection.surfaceMesh(data, valueTransform(values, 0, 1), valueTransform(values, 0, 1), 72);
  assert.ok(Number.isNaN(mesh.colour[2]));
  // A 3 x 3 flat mesh seen from the side at yaw 0: the far row (y = 1) first.
  const flat = { nx: 3, ny: 3, xs: Float64Array.from([-1, 0, 1, -1, 0, 1, -1, 0, 1]), ys: Float64Array.from([-1, -1, -1, 0, 0, 0, 1, 1, 1]), zs: new Float64Array(9), colour: new Float64Array(9) };
  const order = [...projection.backToFront(flat, projection.projector({ yaw: 0, elevation: 0.3, zoom: 1 }, 100, 100))];
  assert.deepEqual(order.slice(0, 2).sort(), [2, 3]);
  assert.deepEqual(order.slice(2).sort(), [0, 1]);
  // A flat quad facing the light is lit above the ambient level.
  assert.ok(projection.quadShade(flat, 0) > 0.55 && projection.quadShade(flat, 0) <= 1);
});

test('step vectors: the update is the next row minus this one, −∇f comes from the gradient columns', () => {
  const t = trace(
    [
      [0, 0, 1, 2],
      [0.5, -0.25, 0.5, 1],
      [0.75, -0.5, 0.25, 0.5],
    ],
    [
      [-1, 0.5],
      [-0.5, 0.5],
      [0, 0],
    ],
  );
  assert.deepEqual(stepVectors(t, 0), { origin: [0, 0], update: [0.5, -0.25], descent: [1, -0.5] });
  assert.deepEqual(stepVectors(t, 1), { origin: [0.5, -0.25], update: [0.25, -0.25], descent: [0.5, -0.5] });
  // The last row has no next step; a zero gradient has no direction.
  assert.deepEqual(stepVectors(t, 2), { origin: [0.75, -0.5] });
  // Without gradients only the update; a 1-D loss has no arrows.
  assert.deepEqual(stepVectors(trace([[1, 2, 3, 4], [2, 2, 3, 4]]), 0), { origin: [1, 2], update: [1, 0] });
  assert.equal(stepVectors({ ...t, dim: 1 }, 0), undefined);
  assert.equal(stepVectors(t, 5), undefined);
});

test('arrows on screen: directions follow the axes (y flipped), arrow paths have a shaft and a head', () => {
  const toPixel = (x, y) => [100 + 10 * x, 100 - 10 * y];
  assert.deepEqual(screenDirection(toPixel, [0, 0], [0, 3]), [0, -1]);
  assert.deepEqual(screenDirection(toPixel, [5, 5], [2, 0]), [1, 0]);
  assert.equal(screenDirection(toPixel, [0, 0], [0, 0]), undefined);
  const d = arrowPath([0, 0], [10, 0], 4);
  const numbers = d.match(/-?[\d.]+/g).map(Number);
  assert.deepEqual(numbers.slice(0, 4), [0, 0, 10, 0]);
  // The barbs sit behind the tip, either side of the shaft, symmetric.
  const [lx, ly, tx, ty, rx, ry] = numbers.slice(4);
  assert.deepEqual([tx, ty], [10, 0]);
  assert.ok(lx < 10 && rx < 10 && close(lx, rx, 0.01) && close(ly, -ry, 0.01) && ly !== 0);
  assert.equal(arrowPath([0, 0], [0.5, 0]), '');
});

test('on a surface, −∇f points downhill: a side view of f = x^2 at x = 1 shows it going down twice as far as left', () => {
  // Screen x is the parameter, screen y (down) is minus the loss: the first-order step left by h lowers f by 2h at x = 1.
  const side = (point, loss) => [point[0] * 100, -loss * 100];
  const [dx, dy] = surfaceDirection(side, [1, 0], 1, [-2, 0], 4);
  assert.ok(close(dx, -1 / Math.sqrt(5), 1e-6) && close(dy, 2 / Math.sqrt(5), 1e-6), `${dx}, ${dy}`);
  // From straight above the loss does not show: the direction is −∇f's on the plane (y up the screen).
  const above = (point) => [point[0] * 10, -point[1] * 10];
  const [ax, ay] = surfaceDirection(above, [0, 0], 5, [3, 4], 1);
  assert.ok(close(ax, 0.6, 1e-6) && close(ay, -0.8, 1e-6));
  assert.equal(surfaceDirection(above, [0, 0], 5, [0, 0], 1), undefined);
  assert.equal(surfaceDirection(() => undefined, [0, 0], 5, [1, 0], 1), undefined, 'off the surface');
});

test('step arrow paths: −∇f is 40 px along its direction, the step reaches the next point (at least 10 px)', () => {
  const end = (d) => d.match(/-?[\d.]+/g).map(Number).slice(2, 4);
  const [descent, update] = stepArrowPaths([100, 100], [0, 1], [103, 96]);
  assert.equal(descent.kind, 'descent');
  assert.deepEqual(end(descent.d), [100, 140]);
  assert.equal(update.kind, 'update');
  assert.deepEqual(end(update.d), [106, 92]);
  assert.deepEqual(stepArrowPaths([0, 0], undefined, [0, 50]).map((a) => [a.kind, end(a.d)]), [['update', [0, 50]]]);
  assert.deepEqual(stepArrowPaths([0, 0], undefined, [0, 0]), [], 'no step, no arrow');
});

test('gradient field: −∇f at each grid point, strength on a log scale from flattest to steepest', () => {
  // Grid 2 x 2 over [0, 1] x [0, 2]; gradients (1, 0), (0, 10), (0, 0), (100, 0).
  const data = { x: [0, 1], y: [0, 2], gradientSize: [2, 2], gradient: Float64Array.from([1, 0, 0, 10, 0, 0, 100, 0]) };
  const arrows = fieldArrows(data);
  assert.equal(arrows.length, 3, 'the zero gradient has no arrow');
  assert.deepEqual(arrows.map((a) => a.at), [[0, 0], [1, 0], [1, 2]]);
  assert.deepEqual(arrows.map((a) => a.descent), [[-1, -0], [-0, -10], [-100, -0]]);
  assert.deepEqual(arrows.map((a) => Number(a.strength.toFixed(6))), [0, 0.5, 1]);
  assert.deepEqual(fieldArrows({ x: [0, 1], y: [0, 1] }), []);
});

test('tiny steps are drawn at a visible length in their direction; the field grid follows the plot size', () => {
  assert.deepEqual(atLeast([0, 0], [3, 4], 10), [6, 8]);
  assert.deepEqual(atLeast([0, 0], [30, 40], 10), [30, 40]);
  assert.deepEqual(atLeast([1, 1], [1, 1], 10), [1, 1]);
  assert.deepEqual(fieldGridSize(20 * FIELD_SPACING, 10 * FIELD_SPACING), [20, 10]);
  assert.deepEqual(fieldGridSize(1, 1), [2, 2]);
});

const optimizers = [
  { name: 'sgd', title: 'SGD', defaults: { lr: 1e-3, momentum: 0, nesterov: false } },
  { name: 'adam', title: 'Adam', defaults: { lr: 1e-3, betas: [0.9, 0.999], amsgrad: false, eps: 1e-8 } },
];
const scenario = {
  loss: 'rosenbrock',
  start: [-1.5, 2],
  runs: [
    { optimizer: 'sgd', options: { lr: 0.001, momentum: 0.9, nesterov: false } },
    { optimizer: 'adam', options: { lr: 0.01, betas: [0.9, 0.999], amsgrad: false, eps: 1e-8 }, label: 'my adam' },
  ],
  steps: 200,
  view: { x: [-2, 2], y: [-1, 3] },
};

test('sweeps: numeric options only, lr first; default values around the current one', () => {
  assert.deepEqual(sweepableOptions(optimizers, scenario.runs[0]), ['lr', 'momentum']);
  assert.deepEqual(sweepableOptions(optimizers, scenario.runs[1]), ['lr', 'eps']);
  assert.deepEqual(defaultSweepValues(0.01), [0.001, 0.003, 0.01, 0.03, 0.1]);
  assert.deepEqual(defaultSweepValues(0), [0, 0.001, 0.01, 0.1, 0.5]);
  assert.deepEqual(parseSweepValues('0.001, 0.003 0.01;0.03,0.1'), [0.001, 0.003, 0.01, 0.03, 0.1]);
  assert.match(parseSweepValues('0.1, abc'), /'abc' is not a number/);
  assert.match(parseSweepValues('  '), /at least one/);
  assert.match(parseSweepValues(Array(13).fill('1').join(',')), /At most 12/);
});

test('sweeps: five learning rates give five runs of the chosen run, each labelled with its value', () => {
  const swept = sweepScenario(scenario, optimizers, { run: 1, option: 'lr', values: [0.001, 0.003, 0.01, 0.03, 0.1] });
  assert.equal(swept.runs.length, 5);
  assert.deepEqual(swept.runs.map((r) => r.options.lr), [0.001, 0.003, 0.01, 0.03, 0.1]);
  assert.ok(swept.runs.every((r) => r.optimizer === 'adam' && r.options.betas[1] === 0.999));
  assert.deepEqual(swept.runs.map((r) => runLabel(r, optimizers)), ['adam lr=0.001', 'adam lr=0.003', 'adam lr=0.01', 'adam lr=0.03', 'adam lr=0.1']);
  assert.ok(swept.runs.every((r) => r.label === undefined), 'the label of the swept run is not copied');
  // Everything else stays; the input is not changed.
  assert.deepEqual({ ...swept, runs: scenario.runs }, scenario);
  assert.equal(scenario.runs.length, 2);
  // An option at its default is still named.
  const momentum = sweepScenario(scenario, optimizers, { run: 0, option: 'momentum', values: [0, 0.9] });
  assert.deepEqual(momentum.runs.map((r) => runLabel(r, optimizers)), ['sgd lr=0.001 momentum=0', 'sgd lr=0.001 momentum=0.9']);
});

test('sweeps: a missing run, a non-numeric option or bad values are refused with a reason', () => {
  assert.match(sweepProblem(scenario, optimizers, { run: 2, option: 'lr', values: [1] }), /no run 3/);
  assert.match(sweepProblem(scenario, optimizers, { run: 0, option: 'nesterov', values: [1] }), /no numeric option 'nesterov'/);
  assert.match(sweepProblem(scenario, optimizers, { run: 0, option: 'lr', values: [] }), /1 to 12/);
  assert.match(sweepProblem(scenario, optimizers, { run: 0, option: 'lr', values: [NaN] }), /finite/);
  assert.throws(() => sweepScenario(scenario, optimizers, { run: 0, option: 'betas', values: [1] }), /no numeric option 'betas'/);
  assert.equal(sweepProblem(scenario, optimizers, { run: 0, option: 'lr', values: [0.1] }), undefined);
});

test('compact tick labels: exponents for very small and large values', () => {
  assert.deepEqual([1e-6, 2.5e-7, 0.001, 0.01, 0.25, 1, 12, 1000, 3e5, 0].map(compactTick), ['1e-6', '2.5e-7', '0.001', '0.01', '0.25', '1', '12', '1000', '3e+5', '0']);
});

test('the gradient columns of the recorded state: the first two per row, zero for a 1-D loss', () => {
  // Rows of [grad_x, grad_y, exp_avg_x, exp_avg_y] for 3 rows.
  const state = Float64Array.from([1, 2, 9, 9, 3, 4, 9, 9, 5, 6, 9, 9]);
  assert.deepEqual([...plottedGradient(state, 4, 3, 2)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...plottedGradient(Float64Array.from([7, 9, 8, 9]), 2, 2, 1)], [7, 0, 8, 0]);
});

test('display state: optional in the saved state, validated, defaults for an older or damaged one', () => {
  const saved = { version: 1, scenario: { ...scenario } };
  assert.equal(parsePanelState(saved).value.display, undefined);
  const display = { landscape: '3d', gradientField: true, stepArrows: false };
  assert.deepEqual(parsePanelState({ ...saved, display }).value.display, display);
  // A damaged display field alone is dropped (the panel shows the defaults); the rest of the state is kept.
  const breakpoints = { breakOnDivergence: true, list: [{ condition: 'loss < 1', enabled: true, run: null }] };
  for (const damaged of [{ landscape: '4d' }, { gradientField: 'yes' }, 'flat', null, [1]]) {
    assert.deepEqual(parsePanelState({ ...saved, display: damaged }), { ok: true, value: saved }, JSON.stringify(damaged));
  }
  const withBreakpoints = parsePanelState({ ...saved, breakpoints, display: { landscape: '4d' } });
  assert.equal(withBreakpoints.ok, true, withBreakpoints.error);
  assert.equal(withBreakpoints.value.display, undefined);
  assert.deepEqual(withBreakpoints.value.breakpoints, breakpoints);
  assert.deepEqual(parseDisplayOptions(undefined), DEFAULT_DISPLAY);
  assert.deepEqual(parseDisplayOptions({ landscape: '3d' }), { ...DEFAULT_DISPLAY, landscape: '3d' });
  assert.deepEqual(parseDisplayOptions({ gradientField: 'yes' }), DEFAULT_DISPLAY);
});

test('messages: the gradient grid of a landscape and the gradients of a run are optional and validated', () => {
  const query = { loss: 'beale', x: [-4.5, 4.5], y: [-4.5, 4.5], size: [64, 64], gradientSize: [20, 12] };
  assert.deepEqual(parseFromWebview({ type: 'landscape', requestId: 1, query }).value.query, query);
  assert.match(parseFromWebview({ type: 'landscape', requestId: 1, query: { ...query, gradientSize: [1, 12] } }).error, /gradientSize\[0\]/);
  assert.match(parseFromWebview({ type: 'landscape', requestId: 1, query: { ...query, gradientSize: [20, 1000] } }).error, /gradientSize\[1\]/);
  const run = parseFromWebview({ type: 'run', requestId: 2, scenario, gradients: true });
  assert.equal(run.value.gradients, true);
  assert.equal('gradients' in parseFromWebview({ type: 'run', requestId: 2, scenario }).value, false);
  assert.match(parseFromWebview({ type: 'run', requestId: 2, scenario, gradients: 1 }).error, /message\.gradients/);
  assert.deepEqual(parseFromWebview({ type: 'sweep' }).value, { type: 'sweep' });
});
