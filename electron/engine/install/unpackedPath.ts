import { existsSync } from "node:fs";
import { sep } from "node:path";

const asarDir = `${sep}app.asar${sep}`;
const unpackedDir = `${sep}app.asar.unpacked${sep}`;

/**
 * Where a file of the installed app can be run or loaded from. In a packaged app the code lives in
 * `resources/app.asar`, an archive the OS cannot dlopen from; the files electron-builder unpacks
 * (`asarUnpack`: the trainer addon, node-llama-cpp's binaries) sit at the same place under
 * `app.asar.unpacked`. A path with an unpacked copy maps to it; any other path is returned as it is
 * (a development tree, or a script Electron reads from the archive itself).
 */
export function unpackedPath(path: string, exists: (path: string) => boolean = existsSync): string {
  const at = path.lastIndexOf(asarDir);
  if (at < 0) return path;
  const unpacked = `${path.slice(0, at)}${unpackedDir}${path.slice(at + asarDir.length)}`;
  return exists(unpacked) ? unpacked : path;
}
