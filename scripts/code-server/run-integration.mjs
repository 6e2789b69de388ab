#!/usr/bin/env node
// Runs an extension's mocha suite inside code-server's extension host, driven by headless Chromium.
// Accepts VS Code's --extensionDevelopmentPath=… --extensionTestsPath=… (and ignores its other flags),
// so @vscode/test-electron can use this file as its vscodeExecutablePath (see test/runTest.mjs).
// Exit code: 0 when run() resolved and nothing unexpected was logged to the console, 1 otherwise.
import { join, resolve } from 'node:path';
import { format, stripVTControlCharacters } from 'node:util';
import { launchChromium, watchConsole } from './browser.mjs';
import { repoRoot, startCodeServer } from './server.mjs';

const timeoutMs = Number(process.env.INTEGRATION_TIMEOUT_MS || 300_000);

function flag(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return arg ? resolve(arg.slice(prefix.length)) : fallback;
}
const extensionDevelopmentPath = flag('extensionDevelopmentPath', repoRoot);
const extensionTestsPath = flag('extensionTestsPath', join(repoRoot, 'out', 'test', 'integration', 'index.js'));

async function main() {
  const started = Date.now();
  const server = await startCodeServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const console_ = watchConsole(page);
    let resolveExit;
    const exitCode = new Promise((r) => (resolveExit = r));
    const timer = setTimeout(() => {
      process.stderr.write(`integration: no result after ${timeoutMs / 1000}s\n`);
      resolveExit(1);
    }, timeoutMs);
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    // The workbench forwards the extension host's test output here as console calls (mocha colours it under CI).
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      (type === 'error' ? process.stderr : process.stdout).write(`${stripVTControlCharacters(format(...args))}\n`);
    });
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath, extensionTestsPath }));
    let code = await exitCode;
    clearTimeout(timer);

    const unexpected = console_.unexpected();
    if (unexpected.length) {
      process.stderr.write(`integration: ${unexpected.length} unexpected console error(s):\n${unexpected.join('\n')}\n`);
      code = 1;
    }
    process.stdout.write(`integration: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    if (code !== 0) process.stderr.write(`--- code-server output ---\n${server.log()}\n`);
    return code;
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`integration: ${error.stack || error}\n`);
    process.exit(1);
  },
);
