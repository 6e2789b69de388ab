// What a .loss file's `data "file.csv"` may read, shared by the CLI's and the editor's readers (I/O-free):
// relative paths inside the .loss file's folder tree (the editor: its workspace folder), regular files only, at
// most MAX_DATA_FILE_BYTES, UTF-8 text. Each refusal is a message naming the file as written, never its contents.

/** The largest data file read (the core holds at most MAX_DATA_VALUES numbers anyway). */
export const MAX_DATA_FILE_BYTES = 50 * 1024 * 1024;

/** Why a data file was not read; the parser reports it on the path in the `data` line. */
export interface DataFileProblem {
  problem: string;
}

/** A data file's text, or why it was not read (undefined: not supplied at all). */
export type DataFile = string | DataFileProblem;

export function problem(message: string): DataFileProblem {
  return { problem: message };
}

/** Rounded up, so that a file just over the limit does not read as the limit itself. */
const megabytes = (bytes: number): string => `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** The messages, one per rule; `file` is the path as written in the .loss file. */
export const dataFileMessages = {
  absolute: (file: string) => `The data file "${file}" must be a path relative to this file's folder, such as "points.csv" or "data/points.csv"`,
  outside: (file: string, root: string) => `The data file "${file}" is outside ${root}: data files are read only from there`,
  linksOutside: (file: string, root: string) => `The data file "${file}" is a link to a file outside ${root}: data files are read only from there`,
  missing: (file: string) => `Cannot read the data file "${file}": no such file (paths are relative to this file)`,
  unreadable: (file: string) => `Cannot read the data file "${file}" (paths are relative to this file)`,
  notRegular: (file: string, kind: string) => `The data file "${file}" is ${kind}, not a regular file`,
  tooBig: (file: string, bytes?: number) =>
    `The data file "${file}" is ${bytes === undefined ? 'larger than' : `${megabytes(bytes)}, over`} the limit of ${megabytes(MAX_DATA_FILE_BYTES)}`,
  notText: (file: string, line: number) => `The data file "${file}" is not a text file (line ${line} holds a NUL byte or bytes that are not UTF-8)`,
  untitled: (file: string) => `Save this file to read the data file "${file}": data files are read from the .loss file's folder`,
  restricted: (file: string) =>
    `The data file "${file}" is not read in Restricted Mode: this .loss file is outside the workspace's folders (trust the workspace, or move the file into a workspace folder)`,
};

/** Whether a path is absolute (POSIX, Windows drive or UNC) or a URI: such paths are refused. */
export function isAbsoluteDataPath(file: string): boolean {
  return /^(?:[/\\]|[A-Za-z]:|[A-Za-z][A-Za-z0-9+.-]+:\/)/.test(file);
}

/** Whether target is root or below it; both are normalized absolute paths with '/' separators. */
export function isInsideFolder(root: string, target: string): boolean {
  const folder = root.endsWith('/') ? root : `${root}/`;
  return target === root || target.startsWith(folder);
}

/** The bytes as text, or the problem of a file that is not UTF-8 text (a NUL byte, or invalid UTF-8). */
export function decodeDataFile(file: string, bytes: Uint8Array): DataFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return problem(dataFileMessages.notText(file, lineOfFirstInvalidByte(bytes)));
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) return problem(dataFileMessages.notText(file, lineAt(text, nul)));
  return text;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The 1-based line of the first byte where strict UTF-8 decoding fails. */
function lineOfFirstInvalidByte(bytes: Uint8Array): number {
  // Decoding lines one by one finds it without holding a second copy of the whole file.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    line++;
    start = end + 1;
  }
  return line;
}
