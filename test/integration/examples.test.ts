// Open Examples and the getting-started walkthrough in a real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, EXTENSION_ID, until, webviewTabs } from './wait';

describe('examples and walkthrough', () => {
  let workspace: vscode.Uri;

  before(async () => {
    workspace = await activatedWorkspace();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Open Examples copies every example into the folder, opens Rosenbrock, and keeps edited files on a second copy', async () => {
    const parent = vscode.Uri.joinPath(workspace, 'examples-test');
    const opened = await vscode.commands.executeCommand<vscode.Uri>('optiscope.openExamples', { folder: parent.toString() });
    const target = vscode.Uri.joinPath(parent, 'optiscope-examples');
    assert.equal(opened?.toString(), vscode.Uri.joinPath(target, 'rosenbrock.loss').toString());
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), opened.toString());
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'loss');
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const shipped = (await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(extension.extensionUri, 'examples'))).map(([name]) => name).sort();
    const copied = (await vscode.workspace.fs.readDirectory(target)).map(([name]) => name).sort();
    assert.deepEqual(copied, shipped);
    assert.ok(copied.includes('points.csv') && copied.includes('beale.loss'), copied.join(', '));

    // The user's edit survives Open Examples again.
    const edited = vscode.Uri.joinPath(target, 'beale.loss');
    await vscode.workspace.fs.writeFile(edited, new TextEncoder().encode('f = x^2 + y^2\n'));
    await vscode.commands.executeCommand('optiscope.openExamples', { folder: parent.toString(), open: 'beale.loss' });
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(edited)), 'f = x^2 + y^2\n');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), edited.toString());
  });

  it('the copied CSV example visualizes: its data file is read beside it and the Playground opens', async () => {
    const parent = vscode.Uri.joinPath(workspace, 'examples-visualize');
    await vscode.commands.executeCommand('optiscope.openExamples', { folder: parent.toString(), open: 'line-fit.loss' });
    await vscode.commands.executeCommand('optiscope.visualizeLoss');
    await until(() => webviewTabs('optiscope.playground').length, (n) => n === 1, 'the Playground', 30_000);
    const document = vscode.window.visibleTextEditors.find((e) => e.document.uri.path.endsWith('line-fit.loss'))?.document;
    assert.ok(document, 'the example stays open');
    assert.deepEqual(vscode.languages.getDiagnostics(document.uri), []);
  });

  it('every command the walkthrough links to is registered, and each step has its media', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const [walkthrough] = extension.packageJSON.contributes.walkthroughs;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps as { id: string; description: string; media: { markdown: string } }[]) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `step ${step.id} has a button`);
      for (const command of links) assert.ok(registered.has(command), `step ${step.id} links to ${command}, which is not registered`);
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, step.media.markdown));
    }
  });
});
