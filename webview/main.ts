// The panels' webview entry: the host's HTML says which view to mount.
import { mountCompare } from './compareApp';
import { Host } from './host';
import { mountPlayground } from './playgroundApp';

const host = new Host();
if (document.body.dataset.view === 'compare') mountCompare(host);
else mountPlayground(host);
