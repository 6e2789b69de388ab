// Serves code-server with this extension loaded (as a development extension, like F5) until Ctrl+C.
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot, startCodeServer } from './server.mjs';

const given = process.argv[2];
const workspace = resolve(given ?? join(repoRoot, '.cache', 'workspace'));
mkdirSync(workspace, { recursive: true });
// The default folder starts with the examples (a copy: edits stay out of the repo; files already there are kept).
if (!given) cpSync(join(repoRoot, 'examples'), join(workspace, 'optiscope-examples'), { recursive: true, force: false });
const server = await startCodeServer({ workspace, port: Number(process.env.PORT || 0) });
console.log(`
Optiscope is running in code-server (VS Code 1.100.3), folder ${workspace}.
The Welcome page has a walkthrough ("Get Started with Optiscope"); the examples are in optiscope-examples/.
Open this URL (it loads the extension from ${repoRoot}):

  ${server.workbenchUrl()}

After \`npm run build\` (or with \`npm run watch\` running), run "Developer: Reload Window" to pick up changes.
Press Ctrl+C to stop.`);
