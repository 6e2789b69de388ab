// What a .loss file's `data "file.csv"` may read from the local disk (src/loss/localDataFiles.ts, used by the CLI
// and by the editor for file: URIs): only inside the .loss file's folder tree once symlinks are resolved, regular
// files only, at most MAX_DATA_FILE_BYTES read, and messages that never echo a file's contents. The CLI (dist/cli.js)
// is checked end to end; devices and the bounded read are checked on the reader itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.js');
const bundle = join(root, 'out', 'unit', 'loss-data-files.bundle.cjs');
await esbuild.build({
  stdin: { contents: "export * from './src/loss/localDataFiles'; export * from './src/loss/dataFileRules';", resolveDir: root, loader: 'ts' },
  outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error',
});
const { readLocalDataFile, MAX_DATA_FILE_BYTES } = createRequire(import.meta.url)(bundle);

const CSV = 'x,y\n1,2\n3,4\n';
const lossNaming = (file, names = '') => `params w\ndata ${names}"${file}"\nf = (w*x - y)^2\nstart = (1)\noptimizer sgd lr=0.1\nsteps = 2\n`;

/** A temp folder `outer` holding x.csv, with the .loss file's folder `outer/project` inside it. */
function folders(t) {
  const outer = mkdtempSync(join(tmpdir(), 'optiscope-data-files-'));
  t.after(() => rmSync(outer, { recursive: true, force: true }));
  const project = join(outer, 'project');
  mkdirSync(project);
  writeFileSync(join(outer, 'x.csv'), CSV);
  writeFileSync(join(project, 'p.csv'), CSV);
  return { outer, project };
}

/** Runs the CLI on project/a.loss naming file; returns its exit status and stderr. */
function trace(project, file, names) {
  writeFileSync(join(project, 'a.loss'), lossNaming(file, names));
  const result = spawnSync(process.execPath, [cli, 'trace', '--loss', join(project, 'a.loss')], { encoding: 'utf8', cwd: tmpdir(), timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
}

/** The CLI's message for a refused data file named in the .loss file's line 2, at the path's column. */
const refused = (file, message, column = 6) => ({ status: 2, stderr: `optiscope: Invalid loss at line 2, column ${column}: The data file "${file}" ${message}\n` });

test('the CLI reads data files in the .loss file\'s folder and below, also through ".." that stays inside', (t) => {
  const { project } = folders(t);
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'data', 'q.csv'), CSV);
  for (const file of ['p.csv', 'data/q.csv', 'data/../p.csv', './data/q.csv']) assert.deepEqual(trace(project, file), { status: 0, stderr: '' }, file);
  symlinkSync(join(project, 'data', 'q.csv'), join(project, 'inside.csv'));
  assert.deepEqual(trace(project, 'inside.csv'), { status: 0, stderr: '' }, 'a symlink to a file inside');
});

test('the CLI refuses ".." out of the folder, absolute paths, and symlinks (of files or folders) that lead outside', (t) => {
  const { outer, project } = folders(t);
  const outside = "is outside the .loss file's folder: data files are read only from there";
  assert.deepEqual(trace(project, '../x.csv'), refused('../x.csv', outside));
  assert.deepEqual(trace(project, 'data/../../x.csv'), refused('data/../../x.csv', outside));
  const relativeOnly = 'must be a path relative to this file\'s folder, such as "points.csv" or "data/points.csv"';
  for (const file of [join(outer, 'x.csv'), join(project, 'p.csv'), '/dev/zero', '/dev/urandom', '/proc/self/environ', 'C:\\x.csv', 'file:///etc/passwd']) {
    assert.deepEqual(trace(project, file), refused(file, relativeOnly), file);
  }
  const linksOutside = "is a link to a file outside the .loss file's folder: data files are read only from there";
  symlinkSync(join(outer, 'x.csv'), join(project, 'link.csv'));
  assert.deepEqual(trace(project, 'link.csv'), refused('link.csv', linksOutside));
  symlinkSync(outer, join(project, 'up'));
  assert.deepEqual(trace(project, 'up/x.csv'), refused('up/x.csv', linksOutside));
  symlinkSync('/dev/zero', join(project, 'zero.csv'));
  assert.deepEqual(trace(project, 'zero.csv'), refused('zero.csv', linksOutside));
});

test('the CLI refuses a FIFO at once, a folder, and a file over the size limit (a sparse file: nothing is read)', { timeout: 15_000 }, (t) => {
  const { project } = folders(t);
  execFileSync('mkfifo', [join(project, 'pipe.csv')]);
  assert.deepEqual(trace(project, 'pipe.csv'), refused('pipe.csv', 'is a named pipe, not a regular file'));
  mkdirSync(join(project, 'folder.csv'));
  assert.deepEqual(trace(project, 'folder.csv'), refused('folder.csv', 'is a folder, not a regular file'));
  assert.deepEqual(trace(project, '.'), refused('.', 'is a folder, not a regular file'));
  writeFileSync(join(project, 'big.csv'), '');
  truncateSync(join(project, 'big.csv'), MAX_DATA_FILE_BYTES + 1);
  assert.deepEqual(trace(project, 'big.csv'), refused('big.csv', 'is 50.1 MB, over the limit of 50 MB'));
  truncateSync(join(project, 'big.csv'), 6 * 1024 ** 3);
  assert.deepEqual(trace(project, 'big.csv'), refused('big.csv', 'is 6144 MB, over the limit of 50 MB'));
  assert.deepEqual(trace(project, 'nothing.csv'), { status: 2, stderr: 'optiscope: Invalid loss at line 2, column 6: Cannot read the data file "nothing.csv": no such file (paths are relative to this file)\n' });
});

test('messages name the file and line but do not echo contents that are not a mistyped number', (t) => {
  const { project } = folders(t);
  const secret = 'SECRET_TOKEN=hunter2';
  // An environment block: NUL-separated, one line.
  writeFileSync(join(project, 'environ.csv'), `${secret}\0PATH=/usr/bin\0HOME=/root\0`);
  for (const names of ['', 'x, y = ']) {
    const { status, stderr } = trace(project, 'environ.csv', names);
    assert.equal(status, 2);
    assert.equal(stderr, `optiscope: Invalid loss at line 2, column ${6 + names.length}: The data file "environ.csv" is not a text file (line 1 holds a NUL byte or bytes that are not UTF-8)\n`);
  }
  // A text file that is not a CSV: its header and rows are not quoted.
  writeFileSync(join(project, 'passwd.csv'), `root:x:0:0:${secret}:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n`);
  assert.deepEqual(trace(project, 'passwd.csv'), { status: 2, stderr: 'optiscope: Invalid loss at line 2, column 6: passwd.csv line 1: the name of column 1 is not a name the loss can use (letters, digits and _)\n' });
  writeFileSync(join(project, 'rows.csv'), `x,y\n1,2\n3,${secret}\n`);
  assert.deepEqual(trace(project, 'rows.csv'), { status: 2, stderr: 'optiscope: Invalid loss at line 2, column 6: rows.csv line 3: column 2 is not a number\n' });
  writeFileSync(join(project, 'latin1.csv'), Buffer.from([0x78, 0x2c, 0x79, 0x0a, 0x31, 0x2c, 0x32, 0x0a, 0xe9, 0x2c, 0x31, 0x0a]));
  assert.match(trace(project, 'latin1.csv').stderr, /"latin1.csv" is not a text file \(line 3 holds/);
  // A mistyped number in a numeric row is quoted: it says what to fix.
  writeFileSync(join(project, 'typo.csv'), 'x,y\n1,2\n3,4.5.6\n');
  assert.deepEqual(trace(project, 'typo.csv'), { status: 2, stderr: "optiscope: Invalid loss at line 2, column 6: typo.csv line 3: '4.5.6' in column 2 is not a number\n" });
});

test('the reader refuses devices by type, and reads /proc/self/environ (size 0) only to refuse it without echoing it', { timeout: 10_000 }, async () => {
  const device = 'is a device, not a regular file';
  assert.deepEqual(await readLocalDataFile('/', '/dev', 'zero', 'the root'), { problem: `The data file "zero" ${device}` });
  assert.deepEqual(await readLocalDataFile('/', '/dev', 'urandom', 'the root'), { problem: `The data file "urandom" ${device}` });
  if (existsSync('/proc/self/environ')) {
    const environ = await readLocalDataFile('/', '/proc/self', 'environ', 'the root');
    assert.deepEqual(environ, { problem: 'The data file "environ" is not a text file (line 1 holds a NUL byte or bytes that are not UTF-8)' });
  }
});

test('the reader never reads more than the limit plus one byte, even when a file reports size 0 (as in /proc)', async (t) => {
  const { project } = folders(t);
  const path = join(project, 'growing.csv');
  writeFileSync(path, '');
  truncateSync(path, 3 * MAX_DATA_FILE_BYTES);
  // Make the file look like a /proc file: size 0 in both stats. Count what is read through the handle.
  const { stat, open } = fs.promises;
  let bytesRead = 0;
  const zeroSize = (info) => Object.assign(Object.create(Object.getPrototypeOf(info)), info, { size: 0 });
  fs.promises.stat = async (...args) => zeroSize(await stat(...args));
  fs.promises.open = async (...args) => {
    const handle = await open(...args);
    return {
      stat: async () => zeroSize(await handle.stat()),
      read: async (...readArgs) => {
        const result = await handle.read(...readArgs);
        bytesRead += result.bytesRead;
        return result;
      },
      close: () => handle.close(),
    };
  };
  try {
    assert.deepEqual(await readLocalDataFile(project, project, 'growing.csv', 'here'), { problem: 'The data file "growing.csv" is larger than the limit of 50 MB' });
  } finally {
    fs.promises.stat = stat;
    fs.promises.open = open;
  }
  assert.equal(bytesRead, MAX_DATA_FILE_BYTES + 1);
});
