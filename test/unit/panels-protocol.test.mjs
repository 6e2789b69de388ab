import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { parseFromWebview, parsePanelState, LIMITS } = await loadTs('src/shared/protocol.ts');

const scenario = {
  loss: 'rosenbrock',
  start: [-1.5, 2],
  runs: [{ optimizer: 'adam', options: { lr: 0.01, betas: [0.9, 0.999], amsgrad: false }, label: 'Adam' }],
  steps: 200,
  view: { x: [-2, 2], y: [-1, 3] },
};

test('accepts every well-formed message and keeps only known fields', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready', requestId: 1, extra: 'dropped' }), { ok: true, value: { type: 'ready', requestId: 1 } });
  const run = parseFromWebview({ type: 'run', requestId: 2, scenario: { ...scenario, junk: 1 } });
  assert.equal(run.ok, true);
  assert.deepEqual(run.value.scenario, scenario);
  const query = { loss: 'beale', x: [-4.5, 4.5], y: [-4.5, 4.5], size: [256, 256] };
  assert.deepEqual(parseFromWebview({ type: 'landscape', requestId: 3, query }).value, { type: 'landscape', requestId: 3, query });
  assert.deepEqual(parseFromWebview({ type: 'pickLoss' }).value, { type: 'pickLoss' });
  assert.deepEqual(parseFromWebview({ type: 'painted' }).value, { type: 'painted' });
  assert.deepEqual(parseFromWebview({ type: 'openCompare', scenario }).value, { type: 'openCompare', scenario });
  assert.deepEqual(parseFromWebview({ type: 'scenario', scenario }).value, { type: 'scenario', scenario });
  assert.deepEqual(parseFromWebview({ type: 'log', level: 'error', message: 'x' }).value, { type: 'log', level: 'error', message: 'x' });
});

test('a missing start or view means the defaults', () => {
  const { start, view, ...rest } = scenario;
  const parsed = parseFromWebview({ type: 'run', requestId: 1, scenario: rest });
  assert.equal(parsed.value.scenario.start, null);
  assert.equal(parsed.value.scenario.view, null);
});

test('rejects malformed messages with the path of the first problem', () => {
  const cases = [
    [null, 'message: expected an object'],
    [[], 'message: expected an object'],
    [{ type: 'nope' }, 'message.type'],
    [{ type: 'ready' }, 'message.requestId'],
    [{ type: 'ready', requestId: 1.5 }, 'message.requestId'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, steps: 0 } }, 'message.scenario.steps'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, steps: LIMITS.panelMaxSteps + 1 } }, 'message.scenario.steps'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, start: [0, NaN] } }, 'message.scenario.start[1]'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, loss: 7 } }, 'message.scenario.loss'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, runs: {} } }, 'message.scenario.runs'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, runs: [{ optimizer: 'sgd', options: { lr: 'big' } }] } }, 'message.scenario.runs[0].options.lr'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, runs: Array(LIMITS.maxRuns + 1).fill(scenario.runs[0]) } }, 'message.scenario.runs'],
    [{ type: 'run', requestId: 1, scenario: { ...scenario, view: { x: [2, -2], y: [0, 1] } } }, 'message.scenario.view.x'],
    [{ type: 'landscape', requestId: 1, query: { loss: 'beale', x: [0, 1], y: [0, 1], size: [4096, 4] } }, 'message.query.size[0]'],
    [{ type: 'landscape', requestId: 1, query: { loss: 'beale', x: [0, Infinity], y: [0, 1], size: [4, 4] } }, 'message.query.x[1]'],
    [{ type: 'log', level: 'warn', message: 'x' }, 'message.level'],
    [{ type: 'openCompare', scenario: { ...scenario, steps: -1 } }, 'message.scenario.steps'],
    [{ type: 'scenario', scenario: { ...scenario, loss: null } }, 'message.scenario.loss'],
    [{ type: 'log', level: 'info', message: 'x'.repeat(LIMITS.messageLength + 1) }, 'message.message'],
  ];
  for (const [raw, path] of cases) {
    const parsed = parseFromWebview(raw);
    assert.equal(parsed.ok, false, JSON.stringify(raw).slice(0, 80));
    assert.ok(parsed.error.startsWith(path), `${parsed.error} should start with ${path}`);
  }
});

test('the scenario model says what it expected, each check in its own words', () => {
  const error = (message) => parseFromWebview(message).error;
  const run = (fields) => ({ type: 'run', requestId: 1, scenario: { ...scenario, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, ...fields }] } });
  assert.equal(error({ type: 'run', requestId: 1, scenario: { ...scenario, steps: LIMITS.panelMaxSteps + 1 } }), `message.scenario.steps: expected an integer in [1, ${LIMITS.panelMaxSteps}]`);
  assert.equal(error(run({ schedule: { type: 'warmup' } })), 'message.scenario.runs[0].schedule.type: expected one of constant, step, exponential, cosine, linear, inverse_sqrt');
  assert.equal(error(run({ schedule: { type: 'cosine' } })), 'message.scenario.runs[0].schedule.T_max: missing');
  assert.equal(error(run({ stochastic: { noise: -1 } })), 'message.scenario.runs[0].stochastic.noise: expected a number >= 0');
  assert.equal(error(run({ project: [] })), `message.scenario.runs[0].project: expected an array of 1 to ${LIMITS.panelMaxParams} ranges`);
  assert.equal(error(run({ options: { lr: 'big' } })), 'message.scenario.runs[0].options.lr: expected a finite number, true or false, or an array of numbers');
  assert.equal(error({ type: 'breakpoints', breakpoints: { list: [{ condition: 'x > 1', enabled: true, run: LIMITS.maxRuns }], breakOnDivergence: true } }),
    `message.breakpoints.list[0].run: expected an integer in [0, ${LIMITS.maxRuns - 1}]`);
  assert.equal(error({ type: 'breakpoints', breakpoints: { list: [], breakOnDivergence: 'yes' } }), 'message.breakpoints.breakOnDivergence: expected true or false');
  // A field set to undefined (structured clone keeps it) reads as absent, and unknown fields are dropped.
  const parsed = parseFromWebview(run({ schedule: undefined, extra: 1 }));
  assert.deepEqual(parsed.value.scenario.runs[0], { optimizer: 'sgd', options: { lr: 0.1 } });
});

test('panel state must carry the current version and a valid scenario', () => {
  assert.deepEqual(parsePanelState({ version: 1, scenario }), { ok: true, value: { version: 1, scenario } });
  assert.equal(parsePanelState({ version: 0, scenario }).ok, false);
  assert.equal(parsePanelState({ scenario }).ok, false);
  assert.equal(parsePanelState(undefined).ok, false);
  assert.equal(parsePanelState({ version: 1, scenario: { ...scenario, runs: 'adam' } }).ok, false);
});

test('panel state keeps the inspector\'s equation coordinate; a damaged one is dropped, not the panel', () => {
  assert.deepEqual(parsePanelState({ version: 1, scenario, inspectorCoordinate: 'W1[2,1]' }), { ok: true, value: { version: 1, scenario, inspectorCoordinate: 'W1[2,1]' } });
  for (const damaged of [3, null, 'x'.repeat(201)]) {
    assert.deepEqual(parsePanelState({ version: 1, scenario, inspectorCoordinate: damaged }), { ok: true, value: { version: 1, scenario } });
  }
});

test('export and tune: the buttons\' events, and the page\'s rendered image (its reply to "render") validated by format', () => {
  assert.deepEqual(parseFromWebview({ type: 'export', format: 'csv' }), { ok: true, value: { type: 'export' } });
  assert.deepEqual(parseFromWebview({ type: 'tune', lr: 1 }), { ok: true, value: { type: 'tune' } });
  assert.deepEqual(parseFromWebview({ type: 'reply', inReplyTo: 3, body: { format: 'png', data: 'iVBORw0KGgo=', extra: 1 } }), {
    ok: true,
    value: { type: 'reply', inReplyTo: 3, body: { format: 'png', data: 'iVBORw0KGgo=' } },
  });
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
  assert.deepEqual(parseFromWebview({ type: 'reply', inReplyTo: 4, body: { format: 'svg', data: svg } }).value, { type: 'reply', inReplyTo: 4, body: { format: 'svg', data: svg } });
  assert.deepEqual(parseFromWebview({ type: 'reply', inReplyTo: 5, error: 'no plot' }).value, { type: 'reply', inReplyTo: 5, error: 'no plot' });
  assert.deepEqual(parseFromWebview({ type: 'reply', inReplyTo: 5, error: 'Cancelled', cancelled: true }).value, { type: 'reply', inReplyTo: 5, error: 'Cancelled', cancelled: true });
  assert.deepEqual(parseFromWebview({ type: 'reply', inReplyTo: 6, body: null }).value, { type: 'reply', inReplyTo: 6, body: null }, "animate's reply (its file came as progress)");
  const error = (message) => parseFromWebview(message).error;
  const image = (body) => ({ type: 'reply', inReplyTo: 1, body });
  assert.equal(error({ type: 'reply', inReplyTo: 0, body: { format: 'svg', data: svg } }), `message.inReplyTo: expected an integer in [1, ${Number.MAX_SAFE_INTEGER}]`);
  assert.equal(error({ type: 'reply', inReplyTo: 1, error: 42 }), `message.error: expected a string of at most ${LIMITS.messageLength} characters`);
  assert.equal(error(image(undefined)), 'message.body: expected an object');
  assert.equal(error(image({ format: 'gif', data: 'R0lG' })), "message.body.format: expected 'png' or 'svg'");
  assert.equal(error(image({ format: 'png', data: 'not base64!' })), 'message.body.data: expected a PNG in base64');
  assert.equal(error(image({ format: 'svg', data: '<script>' })), 'message.body.data: expected an SVG document');
  assert.equal(error(image({ format: 'svg', data: 'x'.repeat(LIMITS.imageLength + 1) })), `message.body.data: expected a string of at most ${LIMITS.imageLength} characters`);
});

test("Export Animation: the button, what the page can record, and the file's parts (progress of \"animate\") as bytes, never JSON arrays", () => {
  assert.deepEqual(parseFromWebview({ type: 'exportAnimation', fps: 10 }), { ok: true, value: { type: 'exportAnimation' } });
  assert.deepEqual(parseFromWebview({ type: 'capabilities', webm: false }), { ok: true, value: { type: 'capabilities', webm: false } });
  const data = new Uint8Array([0x47, 0x49, 0x46]);
  const part = parseFromWebview({ type: 'progress', inReplyTo: 2, body: { framesDone: 1, done: false, data, extra: 1 } });
  assert.deepEqual(part, { ok: true, value: { type: 'progress', inReplyTo: 2, body: { framesDone: 1, done: false, data } } });
  assert.equal(part.value.body.data, data, 'the bytes are not copied');
  const error = (message) => parseFromWebview(message).error;
  const progress = (body) => ({ type: 'progress', inReplyTo: 2, body });
  assert.equal(error({ type: 'capabilities', webm: 'yes' }), 'message.webm: expected a boolean');
  const bytesExpected = `message.body.data: expected a Uint8Array of at most ${LIMITS.animationPartBytes} bytes`;
  assert.equal(error(progress({ framesDone: 1, done: true, data: [71, 73, 70] })), bytesExpected);
  assert.equal(error(progress({ framesDone: 1, done: true, data: new Uint8Array(0).buffer })), bytesExpected);
  assert.equal(error(progress({ framesDone: -1, done: true, data })), `message.body.framesDone: expected an integer in [0, ${LIMITS.maxAnimationFrames}]`);
  assert.equal(error(progress({ framesDone: 1, data })), 'message.body.done: expected a boolean');
  assert.equal(error({ type: 'progress', inReplyTo: 'two', body: { framesDone: 1, done: true, data } }), `message.inReplyTo: expected an integer in [1, ${Number.MAX_SAFE_INTEGER}]`);
});

test('the snapshot embedded in the page: Float64Arrays come back bit for bit, and no "<" can end the script element', async () => {
  const { encodeEmbedded, decodeEmbedded } = await loadTs('src/shared/protocol.ts');
  const values = Float64Array.from([0, -0, 1 / 3, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -1e-300]);
  const rows = new Float64Array(new ArrayBuffer(8 * 70000)).map((_, i) => Math.sin(i) * 1e3); // more than one chunk of bytes
  const snapshot = { scenario: { loss: 'f = x^2 </script><script>alert(1)</script>', runs: [] }, landscape: { values, size: [2, 4] }, runs: { traces: [{ rows: rows.subarray(3, 69999) }] } };
  const text = encodeEmbedded(snapshot);
  assert.ok(!text.includes('<'), 'no "<" in the page');
  const back = decodeEmbedded(text);
  assert.equal(back.scenario.loss, snapshot.scenario.loss);
  assert.ok(back.landscape.values instanceof Float64Array);
  assert.deepEqual(new Uint8Array(back.landscape.values.buffer), new Uint8Array(values.buffer));
  assert.ok(back.runs.traces[0].rows instanceof Float64Array);
  assert.deepEqual(back.runs.traces[0].rows, rows.subarray(3, 69999));
  assert.deepEqual(back.landscape.size, [2, 4]);
  // Standard base64, with either padding (8 bytes leave 2 over, 64 bytes leave 1).
  for (const array of [Float64Array.of(Math.PI), values]) {
    const { $float64 } = JSON.parse(encodeEmbedded({ array })).array;
    assert.equal($float64, Buffer.from(array.buffer).toString('base64'));
  }
});

test('"ready" may say the page came with its snapshot', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready', requestId: 2, pageSnapshot: true }), { ok: true, value: { type: 'ready', requestId: 2, pageSnapshot: true } });
  assert.deepEqual(parseFromWebview({ type: 'ready', requestId: 2, pageSnapshot: false }), { ok: true, value: { type: 'ready', requestId: 2 } });
  assert.equal(parseFromWebview({ type: 'ready', requestId: 2, pageSnapshot: 'yes' }).ok, false);
});

test('"painted" may say when the page started loading and painted (epoch ms); anything else there is refused', () => {
  assert.deepEqual(parseFromWebview({ type: 'painted' }), { ok: true, value: { type: 'painted' } });
  assert.deepEqual(parseFromWebview({ type: 'painted', pageStarted: 1795840768252, paintedAt: 1795840769022 }), { ok: true, value: { type: 'painted', pageStarted: 1795840768252, paintedAt: 1795840769022 } });
  for (const bad of [-1, 1.5, '1795840768252', Infinity]) assert.equal(parseFromWebview({ type: 'painted', pageStarted: bad }).ok, false, String(bad));
});

test('networkOutput: a well-formed query passes with only its fields; a bad one is refused naming the field', () => {
  const query = { loss: 'data x, y = [0, 1; 1, 2]\nnetwork 1-2-1', params: [0.1, -0.2, 0, 0, 1, 0.5, 0], x: [-1, 2], size: [200, 1] };
  assert.deepEqual(parseFromWebview({ type: 'networkOutput', requestId: 4, query: { ...query, extra: [1, 2] } }).value, { type: 'networkOutput', requestId: 4, query });
  // Batch norm: the shown row's running statistics pass through.
  assert.deepEqual(parseFromWebview({ type: 'networkOutput', requestId: 4, query: { ...query, stats: [0.5, -1, 2, 0.25] } }).value.query, { ...query, stats: [0.5, -1, 2, 0.25] });
  const plane = { ...query, y: [0, 1], size: [64, 64] };
  assert.deepEqual(parseFromWebview({ type: 'networkOutput', requestId: 5, query: plane }).value.query, plane);
  for (const [bad, path] of [
    [{ ...query, params: [0, Number.NaN] }, 'message.query.params[1]'],
    [{ ...query, params: new Array(LIMITS.network.params + 1).fill(0) }, 'message.query.params'],
    [{ ...query, x: [2, 1] }, 'message.query.x'],
    [{ ...query, y: 'wide' }, 'message.query.y'],
    [{ ...query, size: [4096, 1] }, 'message.query.size[0]'],
    [{ ...query, size: [64, 0] }, 'message.query.size[1]'],
    [{ ...query, loss: 7 }, 'message.query.loss'],
    [{ ...query, stats: [0, Number.POSITIVE_INFINITY] }, 'message.query.stats[1]'],
    [{ ...query, stats: 'running' }, 'message.query.stats'],
  ]) {
    const parsed = parseFromWebview({ type: 'networkOutput', requestId: 6, query: bad });
    assert.equal(parsed.ok, false, path);
    assert.ok(parsed.error.startsWith(path), `${parsed.error} names ${path}`);
  }
});
