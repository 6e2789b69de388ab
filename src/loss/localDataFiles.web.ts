// The web build has no local disk: data files are read through vscode.workspace.fs (see dataFiles.ts).
import type { DataFile } from './dataFileRules';

export const readLocalDataFile: ((root: string, folder: string, file: string, rootName: string) => Promise<DataFile>) | undefined = undefined;
