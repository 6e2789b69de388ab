// The extension host calls run() (extensionTestsPath): it runs every *.test.js beside this file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 30_000 });
  // INTEGRATION_FILES=examples,lessons runs those files alone (the server passes its environment on).
  const only = process.env.INTEGRATION_FILES?.split(',').map((name) => `${name.trim()}.test.js`);
  const files = fs.readdirSync(__dirname).filter((name) => name.endsWith('.test.js') && (!only || only.includes(name))).sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${__dirname}`);
  for (const name of files) mocha.addFile(path.join(__dirname, name));
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
