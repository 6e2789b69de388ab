// The browser build of the engine worker (dist/web/worker.js) in headless Chromium: same answers as Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const workerCode = readFileSync(new URL('../../dist/web/worker.js', import.meta.url), 'utf8');
const browserPath = '/usr/bin/chromium';

test('the browser worker answers trace and landscape requests like the Node engine', { skip: !existsSync(browserPath) && 'no Chromium' }, async () => {
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const request = { loss: 'himmelblau', start: [-1, 0.5], optimizer: 'rmsprop', options: { lr: 0.01, centered: true }, steps: 40 };
    const replies = await page.evaluate(async ({ code, request }) => {
      const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
      // The wire of src/shared/rpc.ts: { type: method, requestId, args } in, { type: 'reply', inReplyTo, body | error } out.
      const ask = (requestId, method, args) => new Promise((resolve) => {
        worker.addEventListener('message', function listener(event) {
          if (event.data.inReplyTo !== requestId || event.data.type !== 'reply') return;
          worker.removeEventListener('message', listener);
          resolve(event.data);
        });
        worker.postMessage({ type: method, requestId, args });
      });
      const trace = await ask(1, 'trace', [request]);
      const grid = await ask(2, 'landscape', [{ loss: 'ackley', x: [-5, 5], y: [-5, 5], size: [9, 7] }]);
      const bad = await ask(3, 'trace', [{ ...request, options: { lr: -1 } }]);
      const unknown = await ask(4, 'dispose', []);
      worker.terminate();
      return { trace, grid: { ...grid, values: Array.from(grid.body.values), typed: grid.body.values instanceof Float64Array }, bad, unknown };
    }, { code: workerCode, request });
    const engine = await createEngine();
    assert.deepEqual(replies.trace.body, await engine.trace(request));
    const grid = await engine.landscape({ loss: 'ackley', x: [-5, 5], y: [-5, 5], size: [9, 7] });
    assert.deepEqual(replies.grid.values, Array.from(grid.values));
    assert.equal(replies.grid.typed, true, 'the grid arrives as a Float64Array (transferred, not turned into an array)');
    assert.equal(replies.bad.error, 'Invalid learning rate: -1');
    assert.equal(replies.unknown.error, "No method 'dispose'", 'a method outside EngineRequests is refused, not called');
  } finally {
    await browser.close();
  }
});
