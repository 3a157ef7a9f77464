import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, sep } from "node:path";

export interface PathCompletion {
  /** The full path; a folder's ends with the separator, so accepting it goes on completing inside it. */
  path: string;
  isDirectory: boolean;
}

export type CompletionKind = "gguf" | "any";

export const maxCompletions = 50;

/**
 * Completes a typed path from one listing of its folder part: entries whose names start with the typed
 * rest, folders and `.gguf` files (everything for "any"). Symbolic links are listed as they are, never
 * followed; an unreadable or missing folder, or a relative path, has no completions.
 */
export async function completePath(typed: string, kind: CompletionKind = "gguf", limit = maxCompletions): Promise<PathCompletion[]> {
  // "~" is what people type for their home folder; the engine has no other current folder to offer.
  const expanded = /^~([\\/]|$)/.test(typed) ? homedir() + typed.slice(1) : typed;
  if (!isAbsolute(expanded)) return [];
  const endsWithSeparator = /[\\/]$/.test(expanded);
  const folder = endsWithSeparator ? expanded : dirname(expanded);
  const prefix = endsWithSeparator ? "" : basename(expanded);
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  // Windows and macOS file names compare without case by default; Linux's do not.
  const fold = process.platform === "linux" ? (name: string) => name : (name: string) => name.toLowerCase();
  const wanted = fold(prefix);
  const matches = entries
    .filter((entry) => fold(entry.name).startsWith(wanted))
    // Hidden entries only when the typed name asks for them.
    .filter((entry) => prefix.startsWith(".") || !entry.name.startsWith("."))
    .filter((entry) => kind === "any" || entry.isDirectory() || entry.isSymbolicLink() || entry.name.toLowerCase().endsWith(".gguf"))
    .map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }))
    .sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return matches.slice(0, limit).map(({ name, isDirectory }) => ({ path: join(folder, name) + (isDirectory ? sep : ""), isDirectory }));
}
