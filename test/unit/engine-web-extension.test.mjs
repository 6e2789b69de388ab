// The web extension's engine client in headless Chromium: EngineClient + a Web Worker started from
// dist/web/worker.js as the web build does it (src/engine/workerStarter.web.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const root = fileURLToPath(new URL('../..', import.meta.url));
const browserPath = '/usr/bin/chromium';

test('the web build starts the engine in a Web Worker and answers like the Node engine', { skip: !existsSync(browserPath) && 'no Chromium' }, async () => {
  const bundle = await esbuild.build({
    stdin: {
      contents: `import { EngineClient } from './src/engine/engineClient';
        import { startEngineWorker } from './src/engine/workerStarter.web';
        globalThis.startClient = () => new EngineClient(() => startEngineWorker({ path: '/extension' }));`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    alias: { vscode: `${root}test/unit/web-vscode-stub.cjs` },
    logLevel: 'error',
  });
  const workerCode = readFileSync(`${root}dist/web/worker.js`, 'utf8');
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const request = { loss: '(1 - x)^2 + 100*(y - x^2)^2', start: [-1.5, 2], optimizer: 'nadam', options: { lr: 0.02 }, steps: 60, breakpoints: ['step == 40'] };
    const answers = await page.evaluate(async ({ workerCode, request }) => {
      globalThis.extensionFiles = { '/extension/dist/web/worker.js': new TextEncoder().encode(workerCode) };
      const client = globalThis.startClient();
      const trace = await client.trace(request);
      const error = await client.trace({ ...request, options: { lr: -1 } }).catch((e) => e.message);
      client.dispose();
      return { trace, error };
    }, { workerCode, request });
    const engine = await createEngine();
    assert.deepEqual(answers.trace, await engine.trace(request));
    assert.equal(answers.trace.status, 'paused');
    assert.equal(answers.error, 'Invalid learning rate: -1');
  } finally {
    await browser.close();
  }
});
