// The dependency rules of .dependency-cruiser.cjs over the repository's code (npm run depcheck; a step of npm test).
// Violations listed in .dependency-cruiser-known-violations.json pass (they are the restructuring's to-do list);
// any other fails with the rule's name and what to do. `--baseline` rewrites that list from today's violations;
// `--no-ignore-known` reports the known ones too.
// Uses dependency-cruiser's API rather than its CLI: the CLI refuses Node 20, which code-server (the tests'
// VS Code) needs, while the API runs on it (see docs/architecture.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const FOLDERS = ['src', 'webview', 'test', 'bench', 'scripts', 'core/assembly'];
const BASELINE = '.dependency-cruiser-known-violations.json';
const writeBaseline = process.argv.includes('--baseline');
const ignoreKnown = !writeBaseline && !process.argv.includes('--no-ignore-known');

const config = await extractDepcruiseConfig('./.dependency-cruiser.cjs');
const options = {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
  ...(ignoreKnown ? { knownViolations: JSON.parse(readFileSync(BASELINE, 'utf8')) } : {}),
};
const { output } = await cruise(FOLDERS, options, {}, { tsConfig: extractTSConfig('tsconfig.json') });

if (writeBaseline) {
  const { output: baseline } = await format(output, { outputType: 'baseline' });
  writeFileSync(BASELINE, baseline);
  console.log(`${BASELINE}: ${JSON.parse(baseline).length} known violations`);
} else {
  const { output: report, exitCode } = await format(output, { outputType: 'err-long' });
  const { summary } = output;
  if (exitCode === 0) {
    console.log(`dependency rules: ${summary.totalCruised} modules, no new violations (${summary.ignore ?? 0} known, in ${BASELINE})`);
  } else {
    process.stdout.write(report.replace('Run with --no-ignore-known to see them.', 'npm run depcheck -- --no-ignore-known lists them.'));
  }
  process.exitCode = exitCode === 0 ? 0 : 1;
}
