// The dependency rules of .dependency-cruiser.cjs over the repository's code (npm run depcheck; a step of npm test).
// Any violation fails with the rule's name and what to do (there is no list of tolerated ones).
// Uses dependency-cruiser's API rather than its CLI: the CLI refuses Node 20, which code-server (the tests'
// VS Code) needs, while the API runs on it (see docs/architecture.md).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const FOLDERS = ['src', 'webview', 'test', 'bench', 'scripts', 'core/assembly'];

const config = await extractDepcruiseConfig('./.dependency-cruiser.cjs');
const options = {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
};
const { output } = await cruise(FOLDERS, options, {}, { tsConfig: extractTSConfig('tsconfig.json') });

const { output: report, exitCode } = await format(output, { outputType: 'err-long' });
if (exitCode === 0) console.log(`dependency rules: ${output.summary.totalCruised} modules, no violations`);
else process.stdout.write(report);
process.exitCode = exitCode === 0 ? 0 : 1;
