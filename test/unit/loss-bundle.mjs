// Bundles src/loss/index.ts to out/unit/ (CommonJS, one file per test process) so node's test runner can load it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export async function loadLoss() {
  const outfile = join(root, 'out', 'unit', `loss-${process.pid}.cjs`);
  await esbuild.build({ entryPoints: [join(root, 'src/loss/index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
  return require(outfile);
}

/** Asserts every diagnostic range lies within the text (0-based lines and UTF-16 characters). */
export function rangesAreValid(text, diagnostics) {
  const lines = text.split(/\r\n|\r|\n/);
  const valid = (p) => Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.length
    && p.character >= 0 && p.character <= lines[p.line].length;
  return diagnostics.every((d) => {
    const { start, end } = d.range;
    const ordered = start.line < end.line || (start.line === end.line && start.character <= end.character);
    return typeof d.message === 'string' && d.message.length > 0 && (d.severity === 'error' || d.severity === 'warning') && valid(start) && valid(end) && ordered;
  });
}
