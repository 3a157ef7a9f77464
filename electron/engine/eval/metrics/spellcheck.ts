// Spellcheck correctness (paper 002, App. B): the share of a response's words that a Hunspell dictionary
// of the response's language accepts. Real Hunspell compiled to WebAssembly (hunspell-asm) with the
// dictionary-* packages, all inside node_modules: nothing is downloaded (decision 0029).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, basename } from "node:path";
import { loadModule, type Hunspell, type HunspellFactory } from "hunspell-asm";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { normaliseLanguage } from "../../data/languageCodes.js";

export interface Spellchecker {
  /** The language (lid.176 label) the dictionary is for. */
  language: string;
  /** Where the dictionary came from: the npm package or the user's .aff file. */
  source: string;
  /** Whether Hunspell accepts the word (Hunspell's own case rules: "Haus" and "HAUS" pass, "haus" does not in German). */
  accepts(word: string): boolean;
}

export interface SpellingResult {
  /** Words checked (see `spellingWords` for what counts as a word). */
  words: number;
  accepted: number;
  /** The rejected words, in order, repeats kept (the UI highlights them). */
  misspelled: string[];
}

type Dictionary = { aff: Uint8Array; dic: Uint8Array };

// Static specifiers, so a bundler sees every package; each dictionary is read only when first needed
// (the Russian one alone is 3.5 MB). Licences are listed in decision 0029.
const bundled: Record<string, () => Promise<{ default: Dictionary }>> = {
  en: () => import("dictionary-en"),
  de: () => import("dictionary-de"),
  fr: () => import("dictionary-fr"),
  es: () => import("dictionary-es"),
  pt: () => import("dictionary-pt"),
  ru: () => import("dictionary-ru"),
  it: () => import("dictionary-it"),
};

/** Languages with a dictionary shipped with Polytune. */
export const bundledSpellingLanguages: readonly string[] = Object.keys(bundled);

let factory: Promise<HunspellFactory> | undefined;
const checkers = new Map<string, Promise<Spellchecker | null>>();
let mounted = 0;

function hunspellFactory(): Promise<HunspellFactory> {
  factory ??= loadWithoutProcessHooks().catch((error: unknown) => {
    factory = undefined;
    throw new PolytuneError("spellcheck-unavailable", "The spellchecker (Hunspell as WebAssembly) could not be loaded.", {
      where: "node_modules/hunspell-asm",
      hint: "It ships with Polytune; reinstall Polytune (or run npm install) to restore it.",
      details: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  });
  return factory;
}

/**
 * hunspell-asm's Emscripten glue adds a process-wide "uncaughtException" listener that rethrows, so any later
 * crash of the engine would be reported from inside its 780 kB one-line file (the whole line printed). Its
 * listener is removed once the module has loaded; Hunspell itself never needs it.
 */
async function loadWithoutProcessHooks(): Promise<HunspellFactory> {
  const before = new Set(process.listeners("uncaughtException"));
  try {
    return await loadModule();
  } finally {
    for (const listener of process.listeners("uncaughtException")) if (!before.has(listener)) process.removeListener("uncaughtException", listener);
  }
}

/**
 * The Hunspell spellchecker for a language, loaded once per process; null when no dictionary covers it
 * ("not covered" — never a score of 0). `dictionaries` is a folder of the user's own Hunspell pairs named
 * by language (`nl.aff` + `nl.dic`, or `nl_NL.aff` + `nl_NL.dic`); they win over the bundled ones.
 */
export function loadSpellchecker(language: string, options: { dictionaries?: string } = {}): Promise<Spellchecker | null> {
  const code = normaliseLanguage(language) ?? language;
  const key = `${options.dictionaries ?? ""}\u0000${code}`;
  let checker = checkers.get(key);
  if (!checker) {
    checker = openChecker(code, options.dictionaries).catch((error: unknown) => {
      checkers.delete(key);
      throw error;
    });
    checkers.set(key, checker);
  }
  return checker;
}

async function openChecker(language: string, dictionaries: string | undefined): Promise<Spellchecker | null> {
  const own = dictionaries === undefined ? undefined : userDictionary(dictionaries, language);
  let dictionary: Dictionary;
  let source: string;
  if (own) {
    dictionary = { aff: readFileSync(own.aff), dic: readFileSync(own.dic) };
    source = own.aff;
  } else {
    const load = bundled[language];
    if (!load) return null;
    dictionary = (await load()).default;
    source = `dictionary-${language}`;
  }
  const hunspell = await hunspellFactory();
  // Names in Hunspell's in-memory file system only; a counter keeps a reloaded language from clashing.
  const n = ++mounted;
  const affPath = hunspell.mountBuffer(dictionary.aff, `${language}-${n}.aff`);
  const dicPath = hunspell.mountBuffer(dictionary.dic, `${language}-${n}.dic`);
  let instance: Hunspell;
  try {
    instance = hunspell.create(affPath, dicPath);
  } catch (error) {
    throw new PolytuneError("spellcheck-dictionary", `Hunspell could not open the ${language} dictionary.`, {
      where: source,
      hint: "Use a Hunspell .aff/.dic pair in UTF-8, as LibreOffice's dictionaries ship them.",
      details: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  return { language, source, accepts: (word) => instance.spell(word) };
}

/** The user's `<language>.aff`/`.dic` pair in a folder, matched by normalised language code; a lone half is an error. */
function userDictionary(folder: string, language: string): { aff: string; dic: string } | undefined {
  if (!existsSync(folder)) {
    throw new PolytuneError("spellcheck-dictionary", `The dictionaries folder ${folder} does not exist.`, { where: folder, hint: "Give a folder holding Hunspell pairs such as nl.aff and nl.dic." });
  }
  for (const name of readdirSync(folder)) {
    if (extname(name).toLowerCase() !== ".aff") continue;
    const stem = basename(name, extname(name));
    if (normaliseLanguage(stem) !== language) continue;
    const aff = join(folder, name);
    const dic = readdirSync(folder).find((other) => other.toLowerCase() === `${stem.toLowerCase()}.dic`);
    if (!dic) throw new PolytuneError("spellcheck-dictionary", `${name} has no ${stem}.dic beside it.`, { where: aff, hint: "A Hunspell dictionary is a pair: put the .dic file next to the .aff file, with the same name." });
    return { aff, dic: join(folder, dic) };
  }
  return undefined;
}

// Spans that are not prose in the response's language: fenced and inline code, URLs, e-mail addresses.
const fencedCode = /```[\s\S]*?(?:```|$)/g;
const inlineCode = /`[^`\n]*`/g;
const url = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>()"'`]+/giu;
const email = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const hasDigit = /\p{N}/u;
const hasLetter = /\p{L}/u;

/**
 * The words of a text that spelling is checked on: Intl.Segmenter's word-like segments in that language,
 * after removing fenced code blocks, inline code, URLs and e-mail addresses; a segment with any digit
 * ("2024", "3rd", "mp3") or without a letter is left out. Typographic apostrophes become ASCII ones, as
 * the dictionaries write them ("l’homme" → "l'homme"); apostrophes at either end are dropped.
 */
export function spellingWords(text: string, language: string): string[] {
  const prose = text.replace(fencedCode, " ").replace(inlineCode, " ").replace(url, " ").replace(email, " ");
  const segmenter = new Intl.Segmenter(safeLocale(language), { granularity: "word" });
  const words: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(prose)) {
    if (!isWordLike || hasDigit.test(segment) || !hasLetter.test(segment)) continue;
    const word = segment.replace(/[\u2019\u02BC]/g, "'").replace(/^'+|'+$/g, "");
    if (word !== "") words.push(word);
  }
  return words;
}

/** Checks every word of a text (see `spellingWords`). */
export function checkSpelling(text: string, checker: Spellchecker): SpellingResult {
  const words = spellingWords(text, checker.language);
  const misspelled = words.filter((word) => !checker.accepts(word));
  return { words: words.length, accepted: words.length - misspelled.length, misspelled };
}

/** Intl throws on a malformed tag; lid.176 labels such as "als" are valid, but a bad one must not stop scoring. */
function safeLocale(language: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(language)[0];
  } catch {
    return undefined;
  }
}
