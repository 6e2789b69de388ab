// A webview panel with one small script that shows a word, under the same kind of CSP as Optiscope's panels.
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('minimalWebview.open', () => {
      const media = vscode.Uri.joinPath(context.extensionUri, 'media');
      const panel = vscode.window.createWebviewPanel('minimalWebview', 'Minimal', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media] });
      const nonce = Math.random().toString(36).slice(2);
      const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'show.js'));
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'"></head><body><script nonce="${nonce}" src="${script}"></script></body></html>`;
    }),
  );
};
