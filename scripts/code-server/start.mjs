// Serves code-server with this extension loaded (as a development extension, like F5) until Ctrl+C.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot, startCodeServer } from './server.mjs';

const workspace = resolve(process.argv[2] ?? join(repoRoot, '.cache', 'workspace'));
mkdirSync(workspace, { recursive: true });
const server = await startCodeServer({ workspace, port: Number(process.env.PORT || 0) });
console.log(`
Optiscope is running in code-server (VS Code 1.100.3), folder ${workspace}.
Open this URL (it loads the extension from ${repoRoot}):

  ${server.workbenchUrl()}

After \`npm run build\` (or with \`npm run watch\` running), run "Developer: Reload Window" to pick up changes.
Press Ctrl+C to stop.`);
