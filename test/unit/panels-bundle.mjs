// Bundles a TypeScript module to out/unit/ (CommonJS) so node's test runner can import it.
import { createRequire } from 'node:module';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export async function loadTs(entry) {
  const outfile = join(root, 'out', 'unit', `${basename(entry, '.ts')}.cjs`);
  await esbuild.build({ entryPoints: [join(root, entry)], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
  delete require.cache[outfile];
  return require(outfile);
}
