// The webview shell: strict CSP with a nonce. Data goes in through the ready handshake; the first snapshot may also
// come in the page as a nonce'd JSON script (encodeEmbedded), so the first paint needs no round trip.
import * as vscode from 'vscode';
import { EMBEDDED_SNAPSHOT_ID } from '../shared/protocol';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** A new panel's options: it keeps its page while hidden, so that coming back to it is instant and shows it as it was. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(extensionUri), retainContextWhenHidden: true };
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE_LENGTH = 32;

/** 32 letters and digits from the platform's cryptographic generator (Node and browsers alike). */
export function makeNonce(): string {
  // Bytes from 248 up are drawn again, so that each of the 62 characters is equally likely (248 = 4 * 62).
  const limit = 256 - (256 % NONCE_ALPHABET.length);
  let nonce = '';
  const bytes = new Uint8Array(NONCE_LENGTH * 2);
  while (nonce.length < NONCE_LENGTH) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < limit && nonce.length < NONCE_LENGTH) nonce += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
    }
  }
  return nonce;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: 'playground' | 'compare', title: string, embeddedSnapshot?: string): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  // The toolkit's components: the page loads them after its first frame.
  const components = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'components.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panels.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} blob: data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const escapedTitle = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapedTitle}</title>
</head>
<body data-view="${view}" data-components="${components}">
<div id="app"></div>
${embeddedSnapshot === undefined ? '' : `<script nonce="${nonce}" type="application/json" id="${EMBEDDED_SNAPSHOT_ID}">${embeddedSnapshot}</script>\n`}<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
