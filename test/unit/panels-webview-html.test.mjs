// The webview shell's CSP nonce: 32 letters and digits drawn with crypto.getRandomValues (Node and browsers), never
// Math.random, each of the 62 characters equally likely (bytes from 248 up are drawn again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = join(root, 'out', 'unit', 'panels-webview-html.bundle.cjs');
await esbuild.build({
  entryPoints: [join(root, 'src/panels/webviewHtml.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error',
  alias: { vscode: join(root, 'test/unit/web-vscode-stub.cjs') },
});
const { makeNonce, webviewHtml } = createRequire(import.meta.url)(outfile);

const webview = { cspSource: 'https://webview.test', asWebviewUri: (uri) => ({ toString: () => `https://webview.test${uri.path}` }) };
const nonceOf = (html) => /script-src 'nonce-([^']+)'/.exec(html)?.[1];

test('the nonce comes from crypto.getRandomValues, with bytes from 248 up drawn again', (t) => {
  const draws = [];
  t.mock.method(crypto, 'getRandomValues', (bytes) => {
    // First draw: 0..63, with 248..255 in between (skipped): 32 usable bytes need two draws of 64.
    for (let i = 0; i < bytes.length; i++) bytes[i] = draws.length === 0 && i % 2 === 1 ? 248 + (i % 8) : (i + 61 * draws.length) % 256;
    draws.push(bytes.length);
    return bytes;
  });
  t.mock.method(Math, 'random', () => assert.fail('Math.random is not for nonces'));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const first = Array.from({ length: 32 }, (_, k) => alphabet[(2 * k) % 62]).join('');
  assert.equal(makeNonce(), first);
  assert.deepEqual(draws, [64]);
  draws.length = 0;
  assert.equal(nonceOf(webviewHtml(webview, { path: '/ext' }, 'playground', 'Playground')), first);
});

test('real nonces: 32 letters and digits, different for every page, in the CSP and on the script tag', () => {
  const nonces = new Set();
  for (let i = 0; i < 200; i++) {
    const html = webviewHtml(webview, { path: '/ext' }, 'playground', 'Playground');
    const nonce = nonceOf(html);
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test/ext/dist/webview.js"></script>`), html);
    nonces.add(nonce);
  }
  assert.equal(nonces.size, 200);
});
