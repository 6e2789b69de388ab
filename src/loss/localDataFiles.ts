// Reading a data file from the local disk (the CLI, and the editor for file: URIs), by dataFileRules' rules:
// symlinks resolved and then checked against the root, regular files only, opened non-blocking (a FIFO cannot
// hang the reader), and never more than MAX_DATA_FILE_BYTES + 1 bytes read.
import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import { resolve, sep } from 'node:path';
import { MAX_DATA_FILE_BYTES, dataFileMessages, decodeDataFile, isAbsoluteDataPath, isInsideFolder, problem } from './dataFileRules';
import type { DataFile } from './dataFileRules';
import { dataFiles } from './data';

const MIN_BUFFER_BYTES = 64 * 1024;

const slashes = (path: string): string => (sep === '/' ? path : path.split(sep).join('/'));

function kind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * The data file `file` (as written in the .loss file), resolved against `folder` (the .loss file's folder), if it
 * lies inside `root` (a folder containing `folder`) once symlinks are resolved; rootName says what root is in
 * messages ("this file's folder").
 */
export async function readLocalDataFile(root: string, folder: string, file: string, rootName: string): Promise<DataFile> {
  if (isAbsoluteDataPath(file)) return problem(dataFileMessages.absolute(file));
  const target = resolve(folder, file);
  if (!isInsideFolder(slashes(resolve(root)), slashes(target))) return problem(dataFileMessages.outside(file, rootName));
  let real: string;
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
    real = await fs.realpath(target);
  } catch (error) {
    return problem((error as NodeJS.ErrnoException).code === 'ENOENT' ? dataFileMessages.missing(file) : dataFileMessages.unreadable(file));
  }
  if (!isInsideFolder(slashes(realRoot), slashes(real))) return problem(dataFileMessages.linksOutside(file, rootName));
  let bytes: Uint8Array | string;
  try {
    bytes = await readRegularFile(real, file);
  } catch {
    return problem(dataFileMessages.unreadable(file));
  }
  return typeof bytes === 'string' ? problem(bytes) : decodeDataFile(file, bytes);
}

/** The file's bytes, or the message of a rule it breaks (not a regular file, too big). */
async function readRegularFile(path: string, file: string): Promise<Uint8Array | string> {
  const before = await fs.stat(path);
  if (!before.isFile()) return dataFileMessages.notRegular(file, kind(before));
  if (before.size > MAX_DATA_FILE_BYTES) return dataFileMessages.tooBig(file, before.size);
  // O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it does not wait for a writer.
  const handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return dataFileMessages.notRegular(file, kind(opened));
    // Files such as those in /proc report size 0 and still hold bytes: read until the end or the cap plus one byte.
    let buffer = new Uint8Array(Math.min(Math.max(opened.size + 1, MIN_BUFFER_BYTES), MAX_DATA_FILE_BYTES + 1));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > MAX_DATA_FILE_BYTES) return dataFileMessages.tooBig(file);
        const grown = new Uint8Array(Math.min(buffer.length * 2, MAX_DATA_FILE_BYTES + 1));
        grown.set(buffer);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) return buffer.subarray(0, total);
      total += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Every file a .loss text names (data files, .optim files), read from its folder tree (folder: the .loss file's folder). */
export async function readLocalDataFiles(folder: string, text: string, rootName: string): Promise<Record<string, DataFile>> {
  return Object.fromEntries(await Promise.all(dataFiles(text).map(async (file) => [file, await readLocalDataFile(folder, folder, file, rootName)] as const)));
}
