// The few vscode APIs the web engine worker starter uses, for running it in a plain browser page.
module.exports = {
  Uri: { joinPath: (base, ...parts) => ({ path: [base.path, ...parts].join('/') }) },
  workspace: {
    fs: {
      readFile: async (uri) => {
        const bytes = globalThis.extensionFiles?.[uri.path];
        if (!bytes) throw new Error(`no such file: ${uri.path}`);
        return bytes;
      },
    },
  },
};
