// Optiscope's dependency rules (docs/architecture.md, "Dependency rules"), checked by `npm run depcheck` in `npm test`.
// Every rule holds with zero violations; a wrong import fails `npm test` with the rule's name and what to do.

/** The files that talk to VS Code: everything else runs in plain Node, a web worker or a webview. */
const VSCODE_FILES = [
  // the extension's entry and its commands (Open Examples among them)
  '^src/(extension|examples)[.]ts$',
  '^src/debug/extension[.]ts$',
  // starting a training session's engine worker for the panels and the debugger
  '^src/session/sessionHost[.]ts$',
  // starting the engine's worker in a VS Code extension host (Node or web)
  '^src/engine/(client|workerStarter|workerStarter[.]web)[.]ts$',
  // the .loss editor support and its data files
  '^src/loss/(dataFiles|documentWatch|editor|visualize)[.]ts$',
  // the .optim editor support
  '^src/loss/optim/editor[.]ts$',
  // the panels' webview hosts, settings and disposables
  '^src/panels/(dispose|index|lessonFiles|scenarioPanel|settings|webviewHtml|scenarioCommands|lessonCommands|exportCommands|sourceDocument)[.]ts$',
  // tests inside VS Code, and the benchmark's own minimal extension
  '^test/integration/',
  '^bench/minimal-webview/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'An import cycle: these modules import each other (directly or round a loop). Move what both need into a third ' +
        'module that imports neither (a shared type into src/shared/, a helper into the module that owns it).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'webview-imports-only-shared',
      severity: 'error',
      comment:
        'webview/ runs in the panel page: it may import webview/, src/shared/ (pure TypeScript: no vscode, DOM-free, ' +
        'Node-free) and npm packages only. Move what it needs from src/ into src/shared/ and import it from there.',
      from: { path: '^webview/' },
      to: { pathNot: ['^webview/', '^src/shared/', '(^|/)node_modules/'] },
    },
    {
      name: 'shared-stays-pure',
      severity: 'error',
      comment:
        'src/shared/ is imported by the host, the worker and the webview alike: it imports only src/shared/ (no vscode, ' +
        'no Node or DOM modules, nothing from src/panels, src/engine or src/debug). Move the dependency into src/shared/.',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/'] },
    },
    {
      name: 'panels-and-debug-apart',
      severity: 'error',
      comment:
        'src/panels and src/debug do not import each other: the training session both use lives in src/session/ (its ' +
        'types in src/shared/). Import it from there, or have src/extension.ts pass one to the other.',
      from: { path: '^src/(panels|debug)/' },
      // $1: the folder the import is from; imports inside one folder are fine
      to: { path: '^src/(panels|debug)/', pathNot: '^src/$1/' },
    },
    {
      name: 'session-below-panels-and-debug',
      severity: 'error',
      comment:
        'src/session (the training session the Playground and the debugger share) is used by src/panels and src/debug ' +
        'and imports neither: pass what it needs in as a parameter.',
      from: { path: '^src/session/' },
      to: { path: '^src/(panels|debug)/' },
    },
    {
      name: 'engine-below-the-host',
      severity: 'error',
      comment:
        'src/engine runs in a worker and headless (CLI, scripts): it imports src/engine, src/loss and src/shared only, ' +
        'never the panels, the debugger or the session that drive it.',
      from: { path: '^src/engine/' },
      to: { path: '^src/(panels|debug|session)/' },
    },
    {
      name: 'loss-not-panels',
      severity: 'error',
      comment:
        'src/loss (the loss language) does not depend on the panels: move what it needs from src/panels into ' +
        'src/loss or src/shared/, or call the panels from the command that opens them.',
      from: { path: '^src/loss/' },
      to: { path: '^src/panels/' },
    },
    {
      name: 'vscode-only-in-host-files',
      severity: 'error',
      comment:
        "Only the files that talk to VS Code import 'vscode' (listed in .dependency-cruiser.cjs, VSCODE_FILES): the " +
        'rest runs in plain Node, a worker or a webview. Pass what you need from VS Code in as a parameter, or add the ' +
        'file to VSCODE_FILES if it is host glue.',
      from: { pathNot: VSCODE_FILES },
      // 'vscode' resolves to its types package (the module itself exists only inside VS Code)
      to: { path: '(^|/)node_modules/@types/vscode/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import cannot be resolved: fix the path or add the package to package.json.',
      from: {},
      to: { couldNotResolve: true, pathNot: ['^vscode$'] },
    },
  ],
  options: {
    // built files (dist/core.wasm is imported by src/engine/core.ts); npm packages are kept as leaves (doNotFollow)
    exclude: { path: '(^|/)(dist|out)/' },
    // Type-only imports count too (they shape the layers); rules that are about code say dependencyTypesNot: ['type-only'].
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
