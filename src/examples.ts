// "Open Examples": copies the example .loss files shipped in examples/ into a folder the user picks, and opens one.
import * as vscode from 'vscode';

/** The folder the examples are copied into, inside the folder the user picks. */
export const EXAMPLES_FOLDER = 'optiscope-examples';
/** The example opened after copying, unless the command names another. */
const FIRST_EXAMPLE = 'rosenbrock.loss';

interface OpenExamplesOptions {
  /** The folder to copy into (skips the dialog). */
  folder?: vscode.Uri;
  /** The example to open afterwards, e.g. 'beale.loss'. */
  open?: string;
}

function asOptions(argument: unknown): OpenExamplesOptions {
  if (!argument || typeof argument !== 'object') return {};
  const { folder, open } = argument as Record<string, unknown>;
  return {
    folder: folder instanceof vscode.Uri ? folder : typeof folder === 'string' ? vscode.Uri.parse(folder) : undefined,
    open: typeof open === 'string' ? open : undefined,
  };
}

/** Whether a file or folder is there (any file system: the workspace's, global storage, a virtual one). */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies every shipped example into target, keeping files that are already there (the user's edits survive a
 * second copy). Returns the names of the files copied.
 */
export async function copyExamples(source: vscode.Uri, target: vscode.Uri): Promise<string[]> {
  await vscode.workspace.fs.createDirectory(target);
  const copied: string[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(source)) {
    const to = vscode.Uri.joinPath(target, name);
    if (type !== vscode.FileType.File || (await exists(to))) continue;
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(source, name), to);
    copied.push(name);
  }
  return copied;
}

export function registerExamples(context: vscode.ExtensionContext): void {
  const source = vscode.Uri.joinPath(context.extensionUri, 'examples');
  const openExamples = async (argument?: unknown): Promise<vscode.Uri | undefined> => {
    const options = asOptions(argument);
    const parent =
      options.folder ??
      (
        await vscode.window.showOpenDialog({
          title: 'Optiscope: Copy the examples into…',
          openLabel: 'Copy Examples Here',
          canSelectFiles: false,
          canSelectFolders: true,
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        })
      )?.[0];
    if (!parent) return undefined;
    const target = vscode.Uri.joinPath(parent, EXAMPLES_FOLDER);
    const copied = await copyExamples(source, target);
    const example = vscode.Uri.joinPath(target, options.open ?? FIRST_EXAMPLE);
    await vscode.window.showTextDocument(example, { preview: false });
    const inWorkspace = vscode.workspace.getWorkspaceFolder(target) !== undefined;
    const what = copied.length ? `Copied ${copied.length} example files to ${target.fsPath}.` : `The examples are already in ${target.fsPath}.`;
    const hint = ' Press "Visualize" above a loss to see it, or F5 to step through its runs.';
    if (inWorkspace) {
      void vscode.window.showInformationMessage(`Optiscope: ${what}${hint}`);
    } else {
      void vscode.window.showInformationMessage(`Optiscope: ${what}${hint}`, 'Open Folder').then((choice) => {
        if (choice) void vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: false });
      });
    }
    return example;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('optiscope.openExamples', async (argument?: unknown) => {
      try {
        return await openExamples(argument);
      } catch (error) {
        void vscode.window.showErrorMessage(`Optiscope: could not copy the examples: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
}
