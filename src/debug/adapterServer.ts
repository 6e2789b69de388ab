// dist/debugAdapter.js: the debug adapter as a Node process speaking DAP over stdio, with the engine in-process.
// VS Code runs the same adapter inline (src/debug/extension.ts); this entry serves protocol tests and other clients.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createEngine } from '../engine/index';
import { OptiscopeDebugSession } from './adapter';
import { scenarioFromLoss } from './adapterScenario';
import { readLocalDataFiles } from '../loss/localDataFiles';
import { TrainingSession } from '../session/trainingSession';

/** What a .loss file without optimizer or steps lines runs (the panels' defaults come from settings instead). */
const DEFAULTS = { runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 1000 };

const engine = createEngine();
const session = new OptiscopeDebugSession({
  readFile: (program) => readFile(program, 'utf8'),
  openSession: async ({ program, text, steps }) => {
    const files = await readLocalDataFiles(dirname(resolve(program)), text, "the .loss file's folder");
    return TrainingSession.open(await engine, scenarioFromLoss(text, DEFAULTS, steps, files));
  },
});
session.setRunAsServer(false);
session.start(process.stdin, process.stdout);
process.stdin.on('end', () => process.exit(0));
