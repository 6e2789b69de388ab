// npm run bench:panels: from the last click to the panel's first frame in code-server (headless Chromium), a new
// Playground (Open Playground, then a loss) against the smallest webview panel (bench/minimal-webview: one
// small script). Each is opened OPENS times in each of WINDOWS fresh windows (the kinds alternate); a window's
// first open is its first webview. Also printed: the page's own part, from its first script's arrival to the frame.
import { join } from 'node:path';
import { launchChromium } from '../scripts/code-server/browser.mjs';
import { repoRoot, startCodeServer } from '../scripts/code-server/server.mjs';

const OPENS = Number(process.env.BENCH_OPENS ?? 3);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);

/**
 * Opens the panel OPENS times (closing it between) and returns ms from the click to the frame the page says it
 * produced (its html element's data-painted-at, set after that frame: the test's own polling adds nothing).
 */
async function measure(extensionDevelopmentPath, open) {
  const server = await startCodeServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath }), { timeout: 90_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    const command = async (title) => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill(`>${title}`);
      return page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    };
    const times = [];
    for (let i = 0; i < OPENS; i++) {
      await page.waitForTimeout(i === 0 ? 5000 : 2000); // the window settles (its extensions start)
      const click = await open(command, page);
      const start = Date.now();
      await click.click();
      const outer = page.locator('iframe.webview.ready:visible').last();
      const painted = outer.contentFrame().locator('#active-frame').contentFrame().locator('html[data-painted-at]');
      await painted.waitFor({ state: 'attached', timeout: 60_000 });
      const paintedAt = Number(await painted.getAttribute('data-painted-at'));
      // The page's own part: from its first script's arrival to the frame.
      const scriptArrived = await painted.evaluate(() => {
        const script = performance.getEntriesByType('resource').find((entry) => entry.initiatorType === 'script');
        return script ? performance.timeOrigin + script.responseEnd : NaN;
      });
      times.push({ total: paintedAt - start, page: paintedAt - scriptArrived });
      await (await command('View: Close All Editors')).click();
    }
    return times;
  } finally {
    await browser.close();
    await server.stop();
  }
}

const kinds = [
  { name: 'minimal webview (one script)', path: join(repoRoot, 'bench', 'minimal-webview'), open: (command) => command('Bench: Open Minimal Webview') },
  {
    // Its page marks the first frame with the landscape and the trajectories drawn.
    name: 'new Optiscope Playground',
    path: repoRoot,
    open: async (command, page) => {
      await (await command('Optiscope: Open Playground')).click();
      return page.locator('.quick-input-list .monaco-list-row', { hasText: 'Rosenbrock' }).first();
    },
  },
];
const results = kinds.map(() => ({ first: [], later: [], page: [] }));
for (let window = 0; window < WINDOWS; window++) {
  for (const [k, kind] of kinds.entries()) {
    const opens = await measure(kind.path, kind.open);
    const [first, ...later] = opens.map((open) => open.total);
    results[k].first.push(first);
    results[k].later.push(...later);
    results[k].page.push(...opens.map((open) => open.page));
    console.error(`${kind.name}, window ${window + 1}: ${opens.map((open) => `${Math.round(open.total)} (page ${Math.round(open.page)})`).join(', ')} ms`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.table(
  kinds.map((kind, k) => ({
    panel: kind.name,
    'first open, median (ms)': median(results[k].first),
    'later opens, median (ms)': median(results[k].later),
    'its script to the frame, median (ms)': Math.round(median(results[k].page)),
    'first opens (ms)': results[k].first.join(', '),
  })),
);
