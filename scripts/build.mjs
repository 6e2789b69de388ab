// One build for every target: the AssemblyScript core (asc) and the TypeScript bundles (esbuild).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');
mkdirSync(join(root, 'dist'), { recursive: true });

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildCore() {
  const wasm = join(root, 'dist', 'core.wasm');
  const sources = Math.max(newestMtime(join(root, 'core', 'assembly')), statSync(join(root, 'core', 'asconfig.json')).mtimeMs);
  if (existsSync(wasm) && statSync(wasm).mtimeMs >= sources) return;
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release'], {
    cwd: join(root, 'core'),
    stdio: 'inherit',
  });
}

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  loader: { '.wasm': 'binary' },
  absWorkingDir: root,
};

const nodeTargets = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
};

const targets = [
  { ...nodeTargets, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...nodeTargets, entryPoints: { worker: 'src/engine/worker.ts' }, outdir: 'dist' },
  { ...nodeTargets, entryPoints: { engine: 'src/engine/index.ts' }, outdir: 'dist' },
  { ...nodeTargets, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist' },
  // The debug adapter as a Node process over stdio (protocol tests); the extension runs it inline.
  { ...nodeTargets, entryPoints: { debugAdapter: 'src/debug/adapterServer.ts' }, outdir: 'dist' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { worker: 'src/engine/webWorker.ts' }, outdir: 'dist/web' },
  // The web extension (VS Code in a browser): the same entry, with the engine worker started as a Web Worker.
  {
    ...common,
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist/web',
    plugins: [webWorkerStarter(), webNodeShims()],
  },
];

/** Resolves ./workerStarter (or ../engine/workerStarter) and ./localDataFiles to their .web.ts twins for the web build. */
function webWorkerStarter() {
  return {
    name: 'web-worker-starter',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\/(.*\/)?(workerStarter|localDataFiles)$/ }, (args) => ({ path: join(args.resolveDir, `${args.path}.web.ts`) }));
    },
  };
}

/** Node's 'events' and 'url', as far as @vscode/debugadapter uses them inline, for the web build. */
function webNodeShims() {
  return {
    name: 'web-node-shims',
    setup(build) {
      build.onResolve({ filter: /^(events|url)$/ }, (args) => ({ path: join(root, 'src', 'debug', 'web', `${args.path}.ts`) }));
    },
  };
}

function optionalTargets() {
  const extra = [];
  if (existsSync(join(root, 'webview', 'main.ts'))) {
    // Minified in every build (a source map beside it in development): the panel's first paint waits for this script.
    // The toolkit's components are a second script, loaded after the first frame (webview/components.ts).
    extra.push({ ...common, minify: true, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { webview: 'webview/main.ts', components: 'webview/components.ts' }, outdir: 'dist' });
  }
  if (existsSync(join(root, 'test', 'integration', 'index.ts'))) {
    const entries = readdirSync(join(root, 'test', 'integration')).filter((f) => f.endsWith('.ts')).map((f) => `test/integration/${f}`);
    // One bundle per file; mocha stays external so it resolves from node_modules in the extension host.
    extra.push({ ...nodeTargets, external: ['vscode', 'mocha'], entryPoints: entries, outdir: 'out/test/integration' });
  }
  return extra;
}

buildCore();
const all = [...targets.filter((t) => Object.values(t.entryPoints).every((e) => existsSync(join(root, e)))), ...optionalTargets()];
if (watch) {
  for (const options of all) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  console.log('[watch] watching TypeScript; re-run `npm run build` after changing core/assembly');
} else {
  await Promise.all(all.map((options) => esbuild.build(options)));
}
