// Integration suite through @vscode/test-electron, for desktop machines: it downloads VS Code and
// runs test/integration in it. VSCODE_EXECUTABLE=scripts/code-server/run-integration.mjs makes it
// use code-server instead (machines that cannot download VS Code). Build first: `npm run build`.
import { runTests } from '@vscode/test-electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'integration', 'index.js'),
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
  });
} catch (error) {
  console.error(error);
  process.exit(1);
}
