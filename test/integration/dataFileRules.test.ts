// What a .loss file's `data "file.csv"` may read in the editor: only inside the workspace folder that holds it (a
// .loss file outside every workspace folder: its own folder tree, in a trusted workspace only; an untitled one:
// nothing), regular files of at most 50 MB with symlinks resolved. Each refusal is a diagnostic on the path.
// The harness runs code-server with workspace trust disabled (always trusted) and trust cannot be toggled in a
// running window, so the untrusted case calls readDataFile with the trust flag given.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readDataFile } from '../../src/loss/dataFiles';
import { activatedWorkspace, until } from './wait';

const CSV = 'x,y\n1,2\n3,4\n';
const SECRET = 'SECRET_TOKEN=hunter2';
const lossNaming = (file: string): string => `params w\ndata "${file}"\nf = (w*x - y)^2\n`;

describe('data file rules', () => {
  let workspace: vscode.Uri;
  let workspaceName: string;
  /** <workspace>/rules-N, with the .loss files in its subfolder project/. */
  let folder: string;
  let project: string;
  /** A folder outside the workspace. */
  let outside: string;
  let cases = 0;

  before(async () => {
    workspace = await activatedWorkspace();
    workspaceName = vscode.workspace.getWorkspaceFolder(workspace)!.name;
    folder = path.join(workspace.fsPath, `rules-${Date.now()}`);
    project = path.join(folder, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(folder, 'up.csv'), CSV);
    fs.writeFileSync(path.join(project, 'p.csv'), CSV);
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'optiscope-outside-'));
    fs.writeFileSync(path.join(outside, 'x.csv'), CSV);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(outside, { recursive: true, force: true });
  });

  /** Opens a new .loss file in project/ naming file, and returns its diagnostics once the data file was read. */
  async function diagnostics(file: string, where = project): Promise<vscode.Diagnostic[]> {
    const uri = vscode.Uri.file(path.join(where, `case-${++cases}.loss`));
    fs.writeFileSync(uri.fsPath, lossNaming(file));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // With its data read, the loss either parses (a CodeLens appears) or has a diagnostic.
    return until(
      async () => {
        const found = vscode.languages.getDiagnostics(uri);
        if (found.length > 0) return found;
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
        return lenses.length > 0 ? found : undefined;
      },
      (found) => found !== undefined,
      `the diagnostics of a .loss file naming ${file}`,
    ) as Promise<vscode.Diagnostic[]>;
  }

  /** Asserts the one diagnostic of a .loss file naming file is message, on the quoted path in line 2. */
  async function refused(file: string, message: string): Promise<void> {
    const found = await diagnostics(file);
    assert.equal(found.length, 1, JSON.stringify(found.map((d) => d.message)));
    assert.equal(found[0].message, message);
    assert.equal(found[0].severity, vscode.DiagnosticSeverity.Error);
    const { start, end } = found[0].range;
    assert.deepEqual([start.line, start.character, end.line, end.character], [1, 5, 1, 5 + file.length + 2], file);
  }

  it('reads files in the workspace folder, also above the .loss file\'s own folder', async () => {
    assert.deepEqual(await diagnostics('p.csv'), []);
    assert.deepEqual(await diagnostics('../up.csv'), []);
    fs.symlinkSync(path.join(folder, 'up.csv'), path.join(project, 'inside.csv'));
    assert.deepEqual(await diagnostics('inside.csv'), []);
  });

  it('refuses paths out of the workspace folder, absolute paths, and symlinks that lead outside it', async () => {
    const escape = `${path.relative(project, outside)}/x.csv`;
    await refused(escape, `The data file "${escape}" is outside the workspace folder '${workspaceName}': data files are read only from there`);
    const relativeOnly = 'must be a path relative to this file\'s folder, such as "points.csv" or "data/points.csv"';
    for (const file of [path.join(outside, 'x.csv'), path.join(project, 'p.csv'), '/dev/zero', '/proc/self/environ']) {
      await refused(file, `The data file "${file}" ${relativeOnly}`);
    }
    const linksOutside = `is a link to a file outside the workspace folder '${workspaceName}': data files are read only from there`;
    fs.symlinkSync(path.join(outside, 'x.csv'), path.join(project, 'link.csv'));
    await refused('link.csv', `The data file "link.csv" ${linksOutside}`);
    fs.symlinkSync(outside, path.join(project, 'out'));
    await refused('out/x.csv', `The data file "out/x.csv" ${linksOutside}`);
    fs.symlinkSync('/dev/zero', path.join(project, 'zero.csv'));
    await refused('zero.csv', `The data file "zero.csv" ${linksOutside}`);
  });

  it('refuses a FIFO at once, a folder and a file over 50 MB, and does not echo a file that is not a CSV', async () => {
    execFileSync('mkfifo', [path.join(project, 'pipe.csv')]);
    await refused('pipe.csv', 'The data file "pipe.csv" is a named pipe, not a regular file');
    fs.mkdirSync(path.join(project, 'folder.csv'));
    await refused('folder.csv', 'The data file "folder.csv" is a folder, not a regular file');
    fs.writeFileSync(path.join(project, 'big.csv'), '');
    fs.truncateSync(path.join(project, 'big.csv'), 6 * 1024 ** 3);
    await refused('big.csv', 'The data file "big.csv" is 6144 MB, over the limit of 50 MB');
    fs.writeFileSync(path.join(project, 'environ.csv'), `${SECRET}\0PATH=/usr/bin\0`);
    await refused('environ.csv', 'The data file "environ.csv" is not a text file (line 1 holds a NUL byte or bytes that are not UTF-8)');
    fs.writeFileSync(path.join(project, 'passwd.csv'), `root:x:0:0:${SECRET}:/root:/bin/bash\n`);
    await refused('passwd.csv', 'passwd.csv line 1: the name of column 1 is not a name the loss can use (letters, digits and _)');
    await refused('missing.csv', 'Cannot read the data file "missing.csv": no such file (paths are relative to this file)');
  });

  it('an untitled .loss file reads no data file: it says to save the file first', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'loss', content: lossNaming('p.csv') });
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await until(() => vscode.languages.getDiagnostics(document.uri), (found) => found.length > 0, 'the diagnostic of an untitled .loss file');
    assert.equal(diagnostic.message, 'Save this file to read the data file "p.csv": data files are read from the .loss file\'s folder');
  });

  it('a .loss file outside the workspace folders reads its own folder tree when trusted, and nothing in Restricted Mode', async () => {
    assert.equal(vscode.workspace.isTrusted, true, 'the harness runs with workspace trust disabled');
    fs.mkdirSync(path.join(outside, 'inner'));
    const loose = vscode.Uri.file(path.join(outside, 'inner', 'loose.loss'));
    // In the editor (trusted): "../x.csv" leaves its folder, which is the root here.
    assert.deepEqual((await diagnostics('../x.csv', path.join(outside, 'inner'))).map((d) => d.message),
      ['The data file "../x.csv" is outside this file\'s folder: data files are read only from there']);
    fs.writeFileSync(path.join(outside, 'inner', 'x.csv'), CSV);
    assert.deepEqual(await diagnostics('x.csv', path.join(outside, 'inner')), []);
    assert.equal(await readDataFile(loose, 'x.csv', true), CSV);
    assert.deepEqual(await readDataFile(loose, 'x.csv', false), {
      problem: 'The data file "x.csv" is not read in Restricted Mode: this .loss file is outside the workspace\'s folders (trust the workspace, or move the file into a workspace folder)',
    });
    // Inside the workspace folder, Restricted Mode reads the same files under the same rules.
    const inWorkspace = vscode.Uri.file(path.join(project, 'a.loss'));
    assert.equal(await readDataFile(inWorkspace, '../up.csv', false), CSV);
    assert.deepEqual(await readDataFile(inWorkspace, 'link.csv', false), {
      problem: `The data file "link.csv" is a link to a file outside the workspace folder '${workspaceName}': data files are read only from there`,
    });
    assert.deepEqual(await readDataFile(inWorkspace, 'pipe.csv', false), { problem: 'The data file "pipe.csv" is a named pipe, not a regular file' });
  });
});
