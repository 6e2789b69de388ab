// E2E harness: each theme gets its own code-server with the extension loaded, opened in headless
// Chromium. Tests drive the UI through the helpers below; see test/README.md.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe } from 'node:test';
import { launchChromium, watchConsole } from '../../scripts/code-server/browser.mjs';
import { repoRoot, startCodeServer } from '../../scripts/code-server/server.mjs';

// The workbench gets the class once it has applied the theme from settings.json, which it does only
// after registering the extensions' contributions: the handshake that the workbench is ready.
export const themes = {
  light: { setting: 'Default Light Modern', workbenchClass: 'vscode-theme-defaults-themes-light_modern-json' },
  dark: { setting: 'Default Dark Modern', workbenchClass: 'vscode-theme-defaults-themes-dark_modern-json' },
};
/** Only for suites that ask for them (describeWorkbench's third argument): one short suite, not every file twice more. */
export const highContrastThemes = {
  'high-contrast': { setting: 'Default High Contrast', workbenchClass: 'vscode-theme-defaults-themes-hc_black-json' },
  'high-contrast-light': { setting: 'Default High Contrast Light', workbenchClass: 'vscode-theme-defaults-themes-hc_light-json' },
};
const paletteTimeoutMs = 60_000;
/** The browser window at the start of every suite (setWindowSize changes it). */
const defaultWindowSize = { width: 1400, height: 900 };
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

const settings = (theme) => ({
  'workbench.colorTheme': theme.setting,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'window.restoreWindows': 'none',
});

/**
 * Declares `body` once per theme, as a node:test suite. `body(vscode)` declares tests with
 * node:test's `test()`; inside them, use `vscode` (set up before the first test):
 *   vscode.page                 the Playwright page with the workbench
 *   vscode.workspace            the open folder (empty at the start; files written there show up)
 *   vscode.openCommand(title)   runs a command from the F1 palette ("Optiscope: Open Playground")
 *   vscode.findInPalette(title) the palette entry for a command (the palette is left open)
 *   vscode.pickQuickInput(label) picks an entry in a quick pick that a command opened
 *   vscode.quickInputRow(text)  the quick pick's first row containing text, once shown
 *   vscode.pickAfterCommand(title, text) runs a command and clicks its quick pick's row (again if the pick closed)
 *   vscode.openFile(name)       opens a workspace file with Quick Open and waits for its editor tab
 *   vscode.openPlayground(loss) Open Playground from the palette on a built-in loss ('Rosenbrock'); returns its frame
 *   vscode.webviewFrame()       the content frame of the newest visible webview panel
 *   vscode.webviewFrameOf(view) waits for the newest visible panel to be that view ('playground', 'compare')
 *   vscode.screenshot(name)     saves test-results/screenshots/<name>-<theme>.png
 *   vscode.setWindowSize(w, h)  resizes the browser window (1400x900 at the start) and waits for the workbench to fill it
 *   vscode.themeName            'light', 'dark' (or a high-contrast theme's key)
 *   vscode.logLines(channel)    the lines an output channel of the extension logged so far, e.g. 'Optiscope Panels'
 * After each test a screenshot of the workbench is saved (so every panel opened is captured), and
 * the test fails if the extension host or a webview logged an error.
 */
/** Polls `read` until `accept(value)`; returns the value, or fails after `timeout` ms naming what it waited for. */
export async function until(read, accept, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let value;
  for (;;) {
    value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `read` until it returns the same accepted value for `quietMs` (a run's chunks have stopped coming). */
export async function settled(read, accept, what, quietMs = 600, timeout = 30_000) {
  let last;
  let since = Date.now();
  return until(
    async () => {
      const value = await read();
      if (JSON.stringify(value) !== JSON.stringify(last)) {
        last = value;
        since = Date.now();
      }
      return value;
    },
    (value) => accept(value) && Date.now() - since >= quietMs,
    `${what}, unchanged for ${quietMs} ms`,
    timeout,
  );
}

export function describeWorkbench(name, body, suiteThemes = themes) {
  for (const [themeName, theme] of Object.entries(suiteThemes)) {
    describe(`${name} (${themeName} theme)`, () => {
      const vscode = new Workbench(themeName);
      before(() => vscode.open(theme));
      afterEach(async (t) => {
        await vscode.screenshot(`${name} ${t.name}`.replace(/[^\w-]+/g, '-'));
        vscode.assertNoConsoleErrors();
      });
      after(() => vscode.close());
      body(vscode);
    });
  }
}

class Workbench {
  #themeName;
  #server;
  #browser;
  #console;
  page;

  constructor(themeName) {
    this.#themeName = themeName;
  }

  get themeName() {
    return this.#themeName;
  }

  /** The lines of the extension's log output channel `channel` (its file among the server's logs). */
  logLines(channel) {
    const files = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(`${channel}.log`)) files.push(path);
      }
    };
    walk(join(this.#server.userDataDir, 'logs'));
    return files.flatMap((file) => readFileSync(file, 'utf8').split('\n')).filter((line) => line.trim() !== '');
  }

  async open(theme) {
    this.#server = await startCodeServer({ settings: settings(theme) });
    this.#browser = await launchChromium();
    this.page = await this.#browser.newPage({ viewport: defaultWindowSize });
    this.#console = watchConsole(this.page);
    await this.page.goto(this.#server.workbenchUrl(), { timeout: 90_000 }); // code-server is slow to serve the workbench on a busy machine
    await this.page.locator(`.monaco-workbench.${theme.workbenchClass}`).waitFor({ timeout: 90_000 });
  }

  get workspace() {
    return this.#server.workspace;
  }

  async close() {
    await this.#browser?.close();
    await this.#server?.stop();
  }

  /**
   * Runs a command by its palette label, e.g. "Optiscope: Open Playground". Returns once it is picked;
   * wait for what the command shows (a quick pick reuses the palette's widget, so it may never hide).
   */
  async openCommand(title) {
    await (await this.findInPalette(title)).click();
  }

  /**
   * Opens the F1 palette filtered to `title` and returns its entry (the palette stays open).
   * The palette lists what was registered when it opened, so it is reopened until the entry shows. When F1 opened
   * nothing (a page that kept the keyboard focus), the title bar's command center opens it instead.
   */
  async findInPalette(title) {
    const input = this.page.locator('.quick-input-widget input');
    const entry = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.getByText(title, { exact: true }) }).first();
    const deadline = Date.now() + paletteTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if (attempt % 2 === 0) await this.page.keyboard.press('F1');
        else await this.page.locator('.command-center').first().click({ timeout: 5000 });
        await input.fill(`>${title}`, { timeout: 5000 });
        await entry.waitFor({ timeout: 5000 });
        return entry;
      } catch (error) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`"${title}" is not in the command palette`, { cause: error });
      }
    }
  }

  /** Picks the entry whose label is `label` in the quick pick a command opened. */
  /**
   * Opens a file of the workspace with Quick Open and waits for its editor. The name is filled in at once:
   * typed key by key, each key cancels the previous file search and the workbench logs that as an error.
   */
  async openFile(name) {
    await this.page.keyboard.press('Control+P');
    await this.page.locator('.quick-input-widget input').fill(name);
    await (await this.quickInputRow(name)).click();
    await this.page.locator('.tab.active', { hasText: name }).waitFor();
  }

  /** The open quick pick's first row that contains `text` (in its label only, with `label`), as a locator. */
  quickPickRow(text, { label = false } = {}) {
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    return (label ? rows.filter({ has: this.page.locator('.label-name', { hasText: text }) }) : rows.filter({ hasText: text })).first();
  }

  /** The first row of the open quick pick that contains `text`, once shown (to read, or to click at a measured time). */
  async quickInputRow(text) {
    const row = this.quickPickRow(text);
    await row.waitFor();
    return row;
  }

  async pickQuickInput(label) {
    await this.quickPickRow(label, { label: true }).click();
  }

  /**
   * Runs a command from the palette and clicks the row of the quick pick it opens that contains `text` (in its label
   * only, with `label`); `before(row)` runs on the shown row first. Returns the click's time. A webview that takes
   * focus as it finishes loading closes a quick pick opened meanwhile: then the command runs again.
   */
  async pickAfterCommand(title, text, { label = false, before = async () => {} } = {}) {
    const row = this.quickPickRow(text, { label });
    for (let attempt = 1; ; attempt++) {
      await this.openCommand(title);
      try {
        await row.waitFor({ state: 'visible', timeout: 5000 });
        await before(row);
        const clickedAt = Date.now();
        await row.click({ timeout: 5000 });
        return clickedAt;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  async openPlayground(loss) {
    await this.pickAfterCommand('Optiscope: Open Playground', loss, { label: true });
    return this.webviewFrameOf('playground');
  }

  /** The document inside the newest visible webview (waits for it to be ready). */
  async webviewFrame() {
    const outer = this.page.locator('iframe.webview.ready:visible').last();
    await outer.waitFor();
    const inner = outer.contentFrame().locator('#active-frame');
    await inner.waitFor({ state: 'attached' });
    return inner.contentFrame();
  }

  /** Waits until the newest visible webview is the given view (its body's data-view) and returns its frame. */
  webviewFrameOf(view) {
    return until(
      async () => {
        const frame = await this.webviewFrame();
        return (await frame.locator('body').getAttribute('data-view')) === view ? frame : undefined;
      },
      Boolean,
      `the ${view} panel`,
    );
  }

  /** Resizes the browser window (the workbench lays itself out again); returns once the workbench has the new size. */
  async setWindowSize(width, height) {
    await this.page.setViewportSize({ width, height });
    await until(
      () => this.page.locator('.monaco-workbench').evaluate((workbench) => [workbench.clientWidth, workbench.clientHeight]),
      ([w, h]) => w === width && h === height,
      `the workbench at ${width}x${height}`,
    );
  }

  async screenshot(name) {
    mkdirSync(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name}-${this.#themeName}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  assertNoConsoleErrors() {
    const unexpected = this.#console.unexpected();
    this.#console.clear();
    assert.deepEqual(unexpected, [], 'errors in the extension host or a webview console');
  }
}
