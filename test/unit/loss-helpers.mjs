// Helpers of the loss-language tests: the bundle of src/loss (CommonJS in out/unit/, one per test file),
// range checks, a seeded random generator and a set of smooth expressions.
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import assert from 'node:assert/strict';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export async function loadLoss() {
  const outfile = join(root, 'out', 'unit', `${basename(process.argv[1] ?? 'loss', '.mjs')}.bundle.cjs`);
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

/**
 * The first error `check` (checkOptimizer, ...) reports for text, asserted to be on one line within the text: its
 * message, its range as [line, startCharacter, endCharacter], and the text that range covers.
 */
export function firstErrorOf(check, text) {
  const diagnostics = check(text);
  assert.ok(rangesAreValid(text, diagnostics), 'ranges within the text');
  const error = diagnostics.find((d) => d.severity === 'error');
  assert.ok(error, `an error for:\n${text}`);
  const { start, end } = error.range;
  assert.equal(start.line, end.line);
  return { message: error.message, at: [start.line, start.character, end.character], text: text.split('\n')[start.line].slice(start.character, end.character) };
}

export const SMOOTH_EXPRESSIONS = [
  '(1 - x)^2 + 100*(y - x^2)^2',
  '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
  '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
  '0.5*(x^2 + 20*y^2)',
  'x^4 - 3*x^3*y + y^5 / 7 + x^-1 + y^-2 + x^0.5 + x^-0.5 + x^1.7',
  'sin(x)*cos(y) + tan(x/3) + exp(-x^2) + expm1(y/4) + log(x) + log1p(y) + log2(x + 1) + log10(y + 2)',
  'asin(x/4) + acos(y/5) + atan(x*y) + atan2(y, x) + atan2(x, y + 3)',
  'sinh(x/2) + cosh(y/3) + tanh(x - y) + sqrt(x + y) + cbrt(x + 2*y)',
  'pow(x, y) + pow(y, 2.5) + pow(2, x*y) + hypot(x, y) + x^y^0.5',
  'sigmoid(3*x - y) + softplus(x*y - 1) + softplus(30 + x) + relu(x - 0.1) + abs(y - 0.2) + 5*sign(x) * y',
  'max(x, y^2) + min(x*y, 1) + max(x, y, 1.5) / (1 + x^2)',
  'e^(x/3) + pi*y + -x^2 + --y',
  '-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20',
  'log(1 + exp(-(x*2 - y))) + 1e-3*(x^2 + y^2)',
];

export function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

