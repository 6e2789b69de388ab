// Headless Chromium for the code-server workbench, and the console watch that fails a run on errors.
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Console errors that code-server's workbench logs on every start, whatever the extension does.
// Each entry says why it is benign; anything else fails the run.
export const benignConsoleErrors = [
  {
    // vsda is Microsoft's closed-source signing module; code-server does not ship it, and the workbench
    // falls back without it.
    pattern: /^console\.error: Failed to load resource: the server responded with a status of 404 .*\/node_modules\/vsda\/rust\/web\/vsda(_bg\.wasm|\.js)\)$/,
  },
  {
    // On every page reload or close: the workbench's own shutdown participants (remote connection,
    // chat) cannot delay an unload in a browser, and it says so.
    pattern: /\[lifecycle\] Long running operations during shutdown are unsupported in the web \(id: join\.(disconnectRemote|chatSessionStore|chatEditingSession)\)/,
  },
  {
    // After such an unload, the workbench's log writer finds the browser's storage already closed.
    pattern: /Unable to write file 'vscode-log:[^']*' \(Error: IndexedDB database 'vscode-web-db' is closed\.\)/,
  },
  {
    // The workbench asks the built-in TypeScript extension for tasks (the palette, Go to File) and gives up
    // after a few seconds when the machine is busy; the test workspaces have no tasks.
    pattern: /^console\.error: Timed out getting tasks from\s+typescript /,
  },
];

/**
 * Records uncaught page errors and console errors (the workbench forwards the extension host's
 * errors and webviews' console there). `unexpected()` lists those not in benignConsoleErrors.
 */
export function watchConsole(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack || error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  return {
    unexpected: () => errors.filter((text) => !benignConsoleErrors.some(({ pattern }) => pattern.test(text))),
    clear: () => errors.splice(0),
  };
}
