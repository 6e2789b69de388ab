// The panels' webview entry: the host's HTML says which view to mount.
import { mountCompare } from './apps/compare';
import { afterNextFrame } from './dom/frames';
import { Host } from './host/host';
import { mountPlayground } from './apps/playground';

const host = new Host();
loadComponentsAfterFirstFrame(document.currentScript as HTMLScriptElement | null, host);
if (document.body.dataset.view === 'compare') mountCompare(host);
else mountPlayground(host);

/**
 * The toolkit's components (buttons, selects, text fields) are defined by a second script, loaded once the first
 * frame is on screen. Until then they take their place, unseen (panels.css); the values set on them carry over.
 */
function loadComponentsAfterFirstFrame(ownScript: HTMLScriptElement | null, host: Host): void {
  const src = document.body.dataset.components;
  if (!src) return;
  const nonce = ownScript?.nonce ?? '';
  afterNextFrame(() => {
    const script = document.createElement('script');
    script.nonce = nonce;
    script.src = src;
    script.addEventListener('error', () => {
      const message = `The panel's controls did not load (${src}); reloading the window may help.`;
      document.getElementById('app')?.append(Object.assign(document.createElement('div'), { className: 'error', textContent: message }));
      host.send({ type: 'log', level: 'error', message });
    });
    document.body.append(script);
  });
}
