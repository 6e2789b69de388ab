// Reading the data files a .loss file names (`data "points.csv"`) by dataFileRules' rules: inside the workspace
// folder that holds the .loss file (a .loss file outside every workspace folder: its own folder tree, and only in a
// trusted workspace; an untitled one: none), regular files of at most MAX_DATA_FILE_BYTES. file: URIs are read
// from the local disk with symlinks resolved; others through vscode.workspace.fs (remote and virtual workspaces),
// where a symlink is refused since its target cannot be checked. Results are cached until a watcher sees the file
// change or the workspace is trusted.
import * as vscode from 'vscode';
import { dataFiles, inlineDataFiles } from './index';
import type { DataFiles } from './index';
import { MAX_DATA_FILE_BYTES, dataFileMessages, decodeDataFile, isAbsoluteDataPath, isInsideFolder, problem } from './dataFileRules';
import type { DataFile } from './dataFileRules';
import { readLocalDataFile } from './localDataFiles';

/** Where a .loss file's data files may be, and how messages name that place; or why it may read none. */
export type DataFileRoot = { root: vscode.Uri; name: string } | { refuse: (file: string) => string };

export function dataFileRoot(lossUri: vscode.Uri, trusted: boolean): DataFileRoot {
  if (lossUri.scheme === 'untitled') return { refuse: dataFileMessages.untitled };
  const folder = vscode.workspace.getWorkspaceFolder(lossUri);
  if (folder) return { root: folder.uri, name: `the workspace folder '${folder.name}'` };
  if (!trusted) return { refuse: dataFileMessages.restricted };
  return { root: vscode.Uri.joinPath(lossUri, '..'), name: "this file's folder" };
}

/** The data file `file` as written in the .loss file at lossUri: its text, or why it is not read. */
export async function readDataFile(lossUri: vscode.Uri, file: string, trusted: boolean): Promise<DataFile> {
  return new DataFileLocation(lossUri, file, trusted).read();
}

/** A data file resolved against its .loss file: the URI to read, or the rule it breaks before any I/O. */
class DataFileLocation {
  readonly target: vscode.Uri;
  readonly root?: Extract<DataFileRoot, { root: vscode.Uri }>;
  readonly refusal?: string;

  constructor(readonly lossUri: vscode.Uri, readonly file: string, trusted: boolean) {
    this.target = vscode.Uri.joinPath(lossUri, '..', file);
    const where = dataFileRoot(lossUri, trusted);
    if (isAbsoluteDataPath(file)) this.refusal = dataFileMessages.absolute(file);
    else if ('refuse' in where) this.refusal = where.refuse(file);
    else if (this.target.scheme !== where.root.scheme || this.target.authority !== where.root.authority || !isInsideFolder(where.root.path, this.target.path)) {
      this.refusal = dataFileMessages.outside(file, where.name);
    } else this.root = where;
  }

  /** Identifies what read() returns: the file and the root it was checked against. */
  get key(): string {
    return `${this.target.toString()}\n${this.root?.root.toString() ?? this.refusal}`;
  }

  async read(): Promise<DataFile> {
    if (!this.root) return problem(this.refusal ?? dataFileMessages.unreadable(this.file));
    if (this.target.scheme === 'file' && readLocalDataFile) {
      return readLocalDataFile(this.root.root.fsPath, vscode.Uri.joinPath(this.lossUri, '..').fsPath, this.file, this.root.name);
    }
    return readThroughWorkspaceFs(this.target, this.file);
  }
}

async function readThroughWorkspaceFs(uri: vscode.Uri, file: string): Promise<DataFile> {
  try {
    const info = await vscode.workspace.fs.stat(uri);
    if (info.type & vscode.FileType.SymbolicLink) return problem(dataFileMessages.notRegular(file, 'a symbolic link'));
    if (info.type !== vscode.FileType.File) return problem(dataFileMessages.notRegular(file, info.type === vscode.FileType.Directory ? 'a folder' : 'a special file'));
    if (info.size > MAX_DATA_FILE_BYTES) return problem(dataFileMessages.tooBig(file, info.size));
    const bytes = await vscode.workspace.fs.readFile(uri);
    return bytes.length > MAX_DATA_FILE_BYTES ? problem(dataFileMessages.tooBig(file, bytes.length)) : decodeDataFile(file, bytes);
  } catch (error) {
    return problem(error instanceof vscode.FileSystemError && error.code === 'FileNotFound' ? dataFileMessages.missing(file) : dataFileMessages.unreadable(file));
  }
}

export class DataFileReader implements vscode.Disposable {
  /** Keyed by DataFileLocation.key, which starts with the file's URI. */
  private readonly contents = new Map<string, Promise<DataFile>>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*');
  private readonly trustGranted: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** A data file that was read changed, appeared or went away (undefined: any may read differently now). */
  readonly onDidChange = this.changed.event;

  constructor() {
    const forget = (uri: vscode.Uri): void => {
      const prefix = `${uri.toString()}\n`;
      let forgotten = false;
      for (const key of this.contents.keys()) {
        if (key.startsWith(prefix)) forgotten = this.contents.delete(key);
      }
      if (forgotten) this.changed.fire(uri);
    };
    this.watcher.onDidChange(forget);
    this.watcher.onDidCreate(forget);
    this.watcher.onDidDelete(forget);
    this.trustGranted = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.contents.clear();
      this.changed.fire(undefined);
    });
  }

  /** The files the text names (contents, or why each is not read), keyed as written. */
  async read(lossUri: vscode.Uri, text: string): Promise<DataFiles> {
    const trusted = vscode.workspace.isTrusted;
    const names = dataFiles(text);
    const entries = await Promise.all(names.map(async (name) => [name, await this.file(new DataFileLocation(lossUri, name, trusted))] as const));
    return Object.fromEntries(entries);
  }

  /** The text with its data files inline: what the engine takes. */
  async inline(lossUri: vscode.Uri, text: string): Promise<{ text: string; files: DataFiles }> {
    const files = await this.read(lossUri, text);
    return { text: Object.keys(files).length > 0 ? inlineDataFiles(text, files) : text, files };
  }

  private file(location: DataFileLocation): Promise<DataFile> {
    const key = location.key;
    let pending = this.contents.get(key);
    if (!pending) {
      pending = location.read();
      this.contents.set(key, pending);
    }
    return pending;
  }

  dispose(): void {
    this.watcher.dispose();
    this.trustGranted.dispose();
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
