// Node's 'url' as @vscode/debugadapter uses it (URL only), for the web build only.
export const URL = globalThis.URL;
