// Reading the data files a .loss file names (`data "points.csv"`), next to it, through vscode.workspace.fs
// (so remote and virtual workspaces work). Contents are cached until a watcher sees the file change.
import * as vscode from 'vscode';
import { dataFiles, inlineDataFiles } from './index';
import type { DataFiles } from './index';

/** A data file's URI: relative paths are resolved against the .loss file's folder. */
export function dataFileUri(lossUri: vscode.Uri, path: string): vscode.Uri {
  if (/^(\/|[A-Za-z]:[\\/])/.test(path) && lossUri.scheme === 'file') return vscode.Uri.file(path);
  return vscode.Uri.joinPath(lossUri, '..', path);
}

export class DataFileReader implements vscode.Disposable {
  private readonly contents = new Map<string, Promise<string | undefined>>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*');
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** A data file that was read changed, appeared or went away. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const forget = (uri: vscode.Uri): void => {
      if (this.contents.delete(uri.toString())) this.changed.fire(uri);
    };
    this.watcher.onDidChange(forget);
    this.watcher.onDidCreate(forget);
    this.watcher.onDidDelete(forget);
  }

  /** The contents of the files the text names (undefined for a file that cannot be read), keyed as written. */
  async read(lossUri: vscode.Uri, text: string): Promise<DataFiles> {
    const names = dataFiles(text);
    const entries = await Promise.all(names.map(async (name) => [name, await this.file(dataFileUri(lossUri, name))] as const));
    return Object.fromEntries(entries);
  }

  /** The text with its data files inline: what the engine takes. */
  async inline(lossUri: vscode.Uri, text: string): Promise<{ text: string; files: DataFiles }> {
    const files = await this.read(lossUri, text);
    return { text: Object.keys(files).length > 0 ? inlineDataFiles(text, files) : text, files };
  }

  private file(uri: vscode.Uri): Promise<string | undefined> {
    const key = uri.toString();
    let pending = this.contents.get(key);
    if (!pending) {
      pending = Promise.resolve(vscode.workspace.fs.readFile(uri)).then((bytes) => new TextDecoder().decode(bytes), () => undefined);
      this.contents.set(key, pending);
    }
    return pending;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
    this.contents.clear();
    if (shared === this) shared = undefined;
  }
}

let shared: DataFileReader | undefined;

/** The extension's one reader, created on first use (most .loss files name no data file) and disposed with it. */
export function dataFileReader(context: vscode.ExtensionContext): DataFileReader {
  if (!shared) {
    shared = new DataFileReader();
    context.subscriptions.push(shared);
  }
  return shared;
}
