// A word on the page. Once its frame is produced, the time (the machine's clock) goes on the page, as Optiscope's
// panels do, and to the extension (with when the page started loading).
const shown = document.createElement('p');
shown.textContent = 'minimal webview';
document.body.append(shown);
const api = acquireVsCodeApi();
requestAnimationFrame(() =>
  setTimeout(() => {
    const paintedAt = Date.now();
    document.documentElement.dataset.paintedAt = String(paintedAt);
    api.postMessage({ pageStarted: Math.round(performance.timeOrigin), paintedAt });
  }, 0),
);
