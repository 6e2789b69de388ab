// Lessons from the palette: each opens its .loss file and the Playground with the explanation beside the plot,
// and draws what the lesson is about (traces, captions, the data scatter, loss against samples, x against t, regret).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWorkbench, until } from './harness.mjs';

const TIMEOUT = 60_000;

/** What each lesson must show: its quick-pick label, runs, a phrase of its text and file, what else is drawn. */
const LESSONS = [
  { id: 'gd-newton', title: 'Gradient descent vs Newton', runs: 2, says: 'inverse Hessian', file: 'optimizer newton lr=1', legend: ['newton'] },
  { id: 'sgd-minibatch', title: 'SGD and minibatches', runs: 3, says: 'random minibatch', file: 'builtin linear_regression', legend: ['B=1', 'B=16'], data: 256 },
  { id: 'scaling-rule', title: 'The linear scaling rule', runs: 5, says: 'samples seen', file: 'label="B=64, lr=0.08 (scaled)"', legend: ['(scaled)', '(unscaled)'], data: 256, samples: true },
  { id: 'momentum-nesterov', title: 'Momentum and Nesterov', runs: 3, says: 'look-ahead', file: 'nesterov=true', legend: ['momentum=0.9', 'nesterov=true'] },
  { id: 'adaptive-beale', title: "AdaGrad, RMSProp and Adam on Beale's function", runs: 4, says: '(3, 0.5)', file: 'minimum = (3, 0.5)', legend: ['adagrad', 'rmsprop', 'adam'] },
  { id: 'adaptive-saddle', title: 'Escaping the saddle of y⁴ − x⁴', runs: 4, says: 'saddle at (0, 0)', file: 'f = y^4 - x^4', legend: ['adagrad', 'adam'] },
  { id: 'adam-amsgrad', title: 'Adam vs AMSGrad (Reddi, Kale, Kumar)', runs: 2, says: 'AMSGrad keeps the maximum', file: 'builtin reddi C=3', legend: ['amsgrad=true'], online: true },
];

/** The panel as drawn: lesson text, traces, legend, the side charts, a study chart. */
function readPanel() {
  const lastPoint = (path) => {
    const numbers = (path?.getAttribute('d') ?? '').match(/-?[\d.]+(?:e-?\d+)?/g) ?? [];
    return numbers.slice(-2).map(Number);
  };
  const paths = (selector) => [...document.querySelectorAll(selector)].filter((p) => (p.getAttribute('d') ?? '').length > 10);
  return {
    title: document.querySelector('.lesson:not([hidden]) vscode-collapsible')?.heading ?? '',
    text: document.querySelector('.lesson')?.textContent ?? '',
    traces: paths('path.trajectory').length,
    lossLines: paths('.loss-lines path').length,
    legend: [...document.querySelectorAll('.legend-label')].map((l) => l.textContent),
    xLabel: document.querySelector('.loss-chart .x-label')?.textContent ?? '',
    samples: document.querySelectorAll('.side-charts:not([hidden]) .data-view circle.sample').length,
    models: [...document.querySelectorAll('.side-charts:not([hidden]) .data-view line.model')].filter((l) => l.getAttribute('visibility') === 'visible').length,
    position: paths('.side-charts:not([hidden]) .position-chart .series-lines path').map(lastPoint),
    regret: paths('.side-charts:not([hidden]) .regret-chart .series-lines path').length,
    chartTitles: [...document.querySelectorAll('.side-charts:not([hidden]) .chart-title')].map((t) => t.textContent),
    // a network lesson's study chart
    studyLines: paths('.study-chart:not([hidden]) path.study-line').length,
    studyPoints: document.querySelectorAll('.study-chart:not([hidden]) circle.study-point').length,
    studyBars: [...document.querySelectorAll('.study-chart:not([hidden]) rect.study-bar')].filter((r) => Number(r.getAttribute('height')) > 0).length,
    studyStatus: document.querySelector('.study-status')?.textContent ?? '',
    // the lottery lesson's strong ticket chart (edge-popup): drawn lines and their legend
    strongLines: paths('.study-chart:not([hidden]) .strong-ticket:not([hidden]) path.strong-line').length,
    strongLegend: [...document.querySelectorAll('.study-chart:not([hidden]) .strong-ticket:not([hidden]) .strong-legend')].map((t) => t.textContent),
    strongCaption: document.querySelector('.strong-ticket:not([hidden]) .strong-ticket-caption')?.textContent ?? '',
    // the lottery mask's caption, wrapped within the panel
    ticketCaption: (() => {
      const caption = document.querySelector('.study-chart:not([hidden]) .study-ticket-caption:not([hidden])');
      return caption ? { text: caption.textContent, fits: caption.scrollWidth <= caption.clientWidth + 1 } : undefined;
    })(),
    // the skip-connection lesson's slices (without and with skips, then three widths): drawn heatmaps and their roughness
    skipSlices: [...document.querySelectorAll('.study-chart:not([hidden]) .skip-landscapes:not([hidden]) .skip-landscape-caption')]
      .filter((c) => c.dataset.turns !== undefined).map((c) => ({ turns: Number(c.dataset.turns), minima: Number(c.dataset.minima), group: c.dataset.group })),
    skipContours: document.querySelectorAll('.study-chart:not([hidden]) .skip-landscape-view .contours path').length,
  };
}

/** The network lessons (issue 18): loss curves per run, and the study chart (computed in the engine worker) with data. */
const NETWORK_LESSONS = [
  { id: 'adaptive-generalization', title: 'Adaptive methods vs SGD: generalization (Wilson et al.)', runs: 4, says: 'minimum-norm solution', file: 'data wilson samples=100', study: 'curves' },
  { id: 'batchnorm-only', title: 'Training only batch norm (Frankle et al. 2020)', runs: 2, says: 'gamma', file: 'freeze=linear' },
  { id: 'lottery-ticket', title: 'The lottery ticket (Frankle & Carbin)', runs: 1, says: 'winning tickets', file: 'network 2-32-32-2', study: 'lines' },
  { id: 'bad-local-minima', title: 'Bad local minima and overparametrization (Safran & Shamir)', runs: 1, says: 'spurious local minima', file: 'data relu_teacher', study: 'bars' },
  { id: 'initialization', title: 'Initialization', runs: 1, says: 'Xavier', file: 'init=xavier_normal', study: 'init' },
  { id: 'skip-connections', title: 'Skip connections and depth (Li et al.)', runs: 1, says: 'filter by filter', file: 'residual=true', study: 'skip' },
  { id: 'batchnorm', title: 'Batch norm: learning rates, noise and smoothness (Santurkar et al.)', runs: 1, says: 'internal covariate shift', file: 'init=normal std=1 batchnorm=true', study: 'batchnorm' },
];

/** Lessons with a path study (Lesson.paths): their loss profiles, one train line per path, and the notes. */
const PATH_LESSONS = [
  { id: 'permutation-symmetry', title: 'Permutation symmetry', says: 'Weight matching', file: 'network 2-16-16-1', paths: 3, notes: 'after weight matching' },
  { id: 'mode-connectivity', title: 'Mode connectivity', says: 'Bezier curve', file: 'network 2-16-16-1', paths: 2, notes: 'on the curve' },
];

/** The path chart as drawn: its train and test lines (with enough points to be a profile), legend and notes. */
function readPathChart() {
  const drawn = (selector) => [...document.querySelectorAll(selector)].filter((p) => ((p.getAttribute('d') ?? '').match(/[LM]/g) ?? []).length >= 10);
  return {
    title: document.querySelector('.lesson:not([hidden]) vscode-collapsible')?.heading ?? '',
    text: document.querySelector('.lesson')?.textContent ?? '',
    train: drawn('.path-chart:not([hidden]) path.path-train').length,
    test: drawn('.path-chart:not([hidden]) path.path-test').length,
    legend: [...document.querySelectorAll('.path-chart .path-legend text')].map((t) => t.textContent),
    notes: document.querySelector('.path-chart .path-notes')?.textContent ?? '',
    status: document.querySelector('.path-chart .path-status')?.textContent ?? '',
  };
}

/**
 * Opens a lesson by typing its title into Open Lesson's quick pick (with two-line entries not every lesson fits in the
 * list at once); a quick pick closes when focus moves (the previous lesson's panel may still be settling): then again.
 */
async function openLesson(vscode, title) {
  const input = vscode.page.locator('.quick-input-widget input[placeholder="Pick a topic of the lecture"]');
  for (let attempt = 1; ; attempt++) {
    await vscode.openCommand('Optiscope: Open Lesson…');
    try {
      await input.fill(title, { timeout: 10_000 });
      await vscode.pickQuickInput(title);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await vscode.page.keyboard.press('Escape');
    }
  }
}

describeWorkbench('lessons', (vscode) => {
  for (const lesson of PATH_LESSONS) {
    test(`${lesson.id}: Open Lesson shows its loss profiles along paths`, async () => {
      await openLesson(vscode, lesson.title);
      const editorText = () => vscode.page.locator('.editor-instance .view-lines').first().textContent();
      await until(editorText, (text) => text.replace(/\u00a0/g, ' ').includes(lesson.file), `the lesson's .loss file (${lesson.file})`, TIMEOUT);
      const frame = await vscode.webviewFrame();
      const chart = await until(
        () => frame.locator('body').evaluate(readPathChart),
        (c) => c.title === lesson.title && c.train === lesson.paths && c.test === lesson.paths,
        `${lesson.id}: ${lesson.paths} train and test profiles`,
        TIMEOUT,
      );
      assert.ok(chart.text.includes(lesson.says), `the explanation says "${lesson.says}"`);
      assert.equal(chart.legend.length, lesson.paths);
      assert.ok(chart.legend.every((l) => /\(barrier \d/.test(l)), JSON.stringify(chart.legend));
      assert.ok(chart.notes.includes(lesson.notes), `the notes say "${lesson.notes}": ${chart.notes}`);
      assert.equal(chart.status, '');
      await vscode.screenshot(`lesson-${lesson.id}`);
    });
  }

  for (const lesson of NETWORK_LESSONS) {
    test(`${lesson.id}: Open Lesson shows its loss curves${lesson.study ? ' and its study chart with data' : ''}`, async () => {
      await openLesson(vscode, lesson.title);
      const editorText = () => vscode.page.locator('.editor-instance .view-lines').first().textContent();
      await until(editorText, (text) => text.replace(/\u00a0/g, ' ').includes(lesson.file), `the lesson's .loss file (${lesson.file})`, TIMEOUT);
      const frame = await vscode.webviewFrame();
      const panel = await until(
        () => frame.locator('body').evaluate(readPanel),
        (p) => p.title === lesson.title && p.lossLines === lesson.runs,
        `${lesson.id}: the explanation and ${lesson.runs} loss curves`,
        3 * TIMEOUT,
      );
      assert.ok(panel.text.includes(lesson.says), `the explanation says "${lesson.says}"`);
      if (lesson.study === 'lines') {
        // the ticket and the random re-initialization, each a point per round (full network + 3 pruning rounds)
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.studyLines === 2 && p.strongLines === 3, 'the lottery chart and the strong ticket', 8 * TIMEOUT);
        assert.equal(drawn.studyPoints, 8, drawn.studyStatus);
        // the strong ticket: edge-popup, the random mask and the dense net, each with its final test accuracy
        assert.equal(drawn.strongLegend.length, 3);
        assert.ok(drawn.strongLegend.every((l) => /test accuracy \d\.\d\d$/.test(l)), JSON.stringify(drawn.strongLegend));
        assert.match(drawn.strongCaption, /network 2-64-64-2/);
        assert.match(drawn.ticketCaption?.text ?? '', /mask at 12\.5% of the weights/);
        assert.ok(drawn.ticketCaption.fits, 'the mask caption wraps within the panel');
        await frame.locator('.study-ticket-caption').scrollIntoViewIfNeeded();
        await vscode.screenshot(`lesson-${lesson.id}-mask`);
        await frame.locator('.strong-ticket svg').scrollIntoViewIfNeeded();
        await vscode.screenshot(`lesson-${lesson.id}-strong`);
      } else if (lesson.study === 'curves') {
        // training error and test error side by side, a line per run in each
        await until(() => frame.locator('body').evaluate(readPanel), (p) => p.studyLines === 2 * lesson.runs, 'the training and test error curves', 8 * TIMEOUT);
      } else if (lesson.study === 'bars') {
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.studyBars >= 2, 'the histogram of final losses', 8 * TIMEOUT);
        assert.match(drawn.studyStatus, /from 12 seeds/);
      } else if (lesson.study === 'init') {
        // five schemes: activation and gradient std for tanh and relu (four panels), and the training curves
        await until(() => frame.locator('body').evaluate(readPanel), (p) => p.studyLines === 25, 'the per-layer std and the curves of five schemes', 8 * TIMEOUT);
      } else if (lesson.study === 'skip') {
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.skipSlices.length === 5 && p.studyLines === 5, 'the five slices and curves', 8 * TIMEOUT);
        assert.ok(drawn.skipContours > 0, 'the slices have contours');
        assert.ok(drawn.skipSlices[1].turns < drawn.skipSlices[0].turns, `roughness: ${JSON.stringify(drawn.skipSlices)}`);
        assert.deepEqual(drawn.skipSlices.map((s) => s.group), ['skip', 'skip', 'width', 'width', 'width']);
        assert.ok(drawn.skipSlices[4].turns < drawn.skipSlices[2].turns, `width roughness: ${JSON.stringify(drawn.skipSlices)}`);
      } else if (lesson.study === 'batchnorm') {
        // six loss curves (BN and not at two rates, noisy BN with and without its noise), and two lines (BN and not)
        // in each of the loss variation and gradient change panels
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.studyLines === 10, 'the batch norm study chart', 8 * TIMEOUT);
        assert.match(drawn.studyStatus, /Santurkar/);
      }
      await vscode.screenshot(`lesson-${lesson.id}`);
    });
  }

  for (const lesson of LESSONS) {
    test(`${lesson.id}: Open Lesson from the palette`, async () => {
      await openLesson(vscode, lesson.title);
      // The .loss file, editable, in the editor.
      const editorText = () => vscode.page.locator('.editor-instance .view-lines').first().textContent();
      await until(editorText, (text) => text.replace(/\u00a0/g, ' ').includes(lesson.file), `the lesson's .loss file (${lesson.file})`, TIMEOUT);
      const frame = await vscode.webviewFrame();
      const panel = await until(
        () => frame.locator('body').evaluate(readPanel),
        (p) => p.title === lesson.title && p.traces === lesson.runs && p.lossLines === lesson.runs && p.legend.length === lesson.runs,
        `${lesson.id}: the explanation and ${lesson.runs} runs`,
        TIMEOUT,
      );
      assert.ok(panel.text.includes(lesson.says), `the explanation says "${lesson.says}"`);
      for (const caption of lesson.legend) assert.ok(panel.legend.some((l) => l.includes(caption)), `a legend entry with "${caption}" in ${JSON.stringify(panel.legend)}`);
      if (lesson.data) {
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.samples === lesson.data && p.models === lesson.runs, 'the data scatter with each run\'s model', TIMEOUT);
        assert.match(drawn.chartTitles[0], /^256 samples \(x, y\)/);
      } else {
        assert.equal(panel.samples, 0);
      }
      assert.equal(panel.xLabel, lesson.samples ? 'samples seen' : '');
      if (lesson.online) {
        const drawn = await until(() => frame.locator('body').evaluate(readPanel), (p) => p.position.length === 2 && p.regret === 2, 'x against t and the average regret', TIMEOUT);
        assert.deepEqual(drawn.chartTitles, ['x against t', 'average regret R_T / T']);
        // SVG y grows downwards: Adam ends at the top (+1), AMSGrad at the bottom (-1).
        const [adam, amsgrad] = drawn.position;
        assert.ok(adam[1] < amsgrad[1], `Adam's last point (y ${adam[1]}) above AMSGrad's (y ${amsgrad[1]})`);
      }
      await vscode.screenshot(`lesson-${lesson.id}`);
    });
  }
});
