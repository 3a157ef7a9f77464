import { createRequire } from "node:module";
import { basename } from "node:path";
import { bcp47Normalize } from "bcp-47-normalize";
import { iso6393 } from "iso-639-3";

/**
 * The labels of fastText's lid.176 (the language identifier, decision 0022) with their ISO 639-3 codes, as
 * fasttext.wasm.js ships them. A dataset's languages are compared with what lid.176 says, so codes from
 * files and users are brought to lid.176's labels.
 */
const lid176 = createRequire(import.meta.url)("fasttext.wasm.js/dist/models/language-identification/assets/languages.json") as Record<string, { alpha3: string; alpha2: string | null }>;

// Where CLDR's canonical code names a language that lid.176 labels otherwise: Bokmål is lid.176's "no"
// (it has no "nb"), and CLDR renames Tagalog "fil" where lid.176 keeps "tl".
const cldrToLid: Record<string, string> = { nb: "no", fil: "tl" };

// Codes that name no single language: a label must say which language a text is in.
const notALanguage = new Set(["mul", "und", "zxx", "mis"]);

interface Tables {
  codes: Set<string>;
  names: Map<string, string>;
  /** lid.176's label for an ISO 639-3 code it names with another code ("gsw" → "als", "zza" → "diq"). */
  lidByAlpha3: Map<string, string>;
}

let known: Tables | undefined;

// Built once, on first use: every ISO 639-1/-2/-3 code and lid.176 label, and every English language name → its 639-3 code.
function tables(): Tables {
  if (known) return known;
  const codes = new Set<string>(Object.keys(lid176));
  const names = new Map<string, string>();
  const lidByAlpha3 = new Map<string, string>();
  for (const [label, { alpha3, alpha2 }] of Object.entries(lid176)) {
    // Two labels share "nor" (nn and no): the one that is the code's own ISO 639-1 code wins.
    if (alpha3 !== label && (!lidByAlpha3.has(alpha3) || alpha2 === label)) lidByAlpha3.set(alpha3, label);
  }
  for (const lang of iso6393) {
    for (const code of [lang.iso6393, lang.iso6392B, lang.iso6392T, lang.iso6391]) if (code) codes.add(code);
    const name = lang.name.toLowerCase();
    // "Swahili (individual language)" is also found as "Swahili" when no other language has that name.
    const plain = name.replace(/\s*\(.*\)$/, "");
    // A macrolanguage (zho "Chinese") wins a shared name over its members.
    if (!names.has(name) || lang.scope === "macrolanguage") names.set(name, lang.iso6393);
    if (plain !== name && !names.has(plain)) names.set(plain, lang.iso6393);
  }
  known = { codes, names, lidByAlpha3 };
  return known;
}

/**
 * A language code or English language name as one code: ISO 639-1 where the language has one
 * ("deu", "ger", "de-DE", "de_DE", "German" → "de"; "cmn", "zho", "zh-CN" → "zh"), else its ISO 639-3 code
 * ("yue"). Individual languages of a macrolanguage fold into it the way CLDR does ("cmn" → "zh",
 * "swh" → "sw", "arb" → "ar"), which is also how fastText's lid.176 labels them; where lid.176 uses
 * another code for a language ("no" for Bokmål, "tl", "als" for Swiss German), its label wins, so a
 * claimed language and an identified one compare equal. Undefined when the text names no known language.
 */
export function normaliseLanguage(text: string): string | undefined {
  // A file repeats a handful of codes on every record, and CLDR normalisation costs about a millisecond.
  if (memo.has(text)) return memo.get(text);
  const language = normalise(text);
  if (memo.size >= 4096) memo.clear();
  memo.set(text, language);
  return language;
}

const memo = new Map<string, string | undefined>();

function normalise(text: string): string | undefined {
  const raw = text.trim();
  if (raw === "") return undefined;
  const tag = raw.replace(/_/g, "-");
  // A code first: some codes are also language names ("Ron" is a language, "ron" is Romanian).
  if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return fromCode(tag);
  const byName = tables().names.get(raw.toLowerCase());
  return byName === undefined ? undefined : fromCode(byName);
}

function fromCode(tag: string): string | undefined {
  const subtag = tag.split("-")[0]!.toLowerCase();
  // Checked before normalising too: CLDR's likely subtags turn "und" into "en".
  if (notALanguage.has(subtag)) return undefined;
  // lid.176's own labels stay as they are ("sh", "als", "tl"), even where CLDR would rename them.
  if (Object.hasOwn(lid176, subtag)) return subtag;
  const { codes, lidByAlpha3 } = tables();
  const lidLabel = lidByAlpha3.get(subtag);
  if (lidLabel) return lidLabel;
  // CLDR's aliases (via bcp-47-normalize) map 639-2/-3 codes and deprecated ones to their canonical subtag.
  const normal = bcp47Normalize(tag, { warning: () => undefined });
  const language = (normal === "" ? subtag : normal.split("-")[0]!.toLowerCase());
  if (notALanguage.has(language) || !codes.has(language)) return undefined;
  return cldrToLid[language] ?? lidByAlpha3.get(language) ?? language;
}

// lid.176 labels Nynorsk "nn" and Bokmål "no", but confuses the two on short texts; a claim of either
// agrees with a label of either ("nb" already reads as "no").
const oneLanguage: Readonly<Record<string, string>> = { nn: "no" };

/** The language a code or name is compared (and a claim stored) on: `normaliseLanguage`'s code, Norwegian folded to "no". */
export function baseLanguage(code: string): string | undefined {
  const language = normaliseLanguage(code);
  return language === undefined ? undefined : (oneLanguage[language] ?? language);
}

/**
 * THE rule for "same language" (import, mixes, the CLI, evaluation, translation all use it): both codes are
 * normalised ("deu", "de-AT", "German" are "de"; "nb", "nn", "no" are one). False when either names no language.
 */
export function sameLanguage(a: string, b: string): boolean {
  const x = baseLanguage(a);
  return x !== undefined && x === baseLanguage(b);
}

/**
 * Whether a claimed language disagrees with an identified one. A missing claim, an unidentified text
 * ("und") or a code naming no language disagrees with nothing: only two real, different languages do.
 */
export function languagesDisagree(claimed: string | null | undefined, identified: string): boolean {
  if (claimed === null || claimed === undefined || identified === "und") return false;
  const a = baseLanguage(claimed);
  const b = baseLanguage(identified);
  return a !== undefined && b !== undefined && a !== b;
}

// Trailing name parts that say what kind of file it is, not its language ("flores101.devtest.de.txt").
// Several are also ISO 639-3 codes (txt, tsv, src, raw), so they must be dropped before the language is read.
const fileKindParts = new Set(["txt", "text", "tok", "tokenized", "raw", "clean", "tsv", "csv", "xml", "sgm", "src", "ref", "dat", "gz", "bz2", "xz", "zst"]);

// A pair in a file name: "deu-eng", "en-de", "de_en".
const pairPart = /^([a-z]{2,3})[-_]([a-z]{2,3})$/;

/**
 * The language a Moses/Tatoeba/FLORES-style file name claims, normalised: `corpus.de`, `x.de-en.de`,
 * `tatoeba.deu-eng.deu`, `flores101.devtest.de.txt`, `train.en-de.en` (all "de" or "en"). Undefined when
 * the name holds no language code, or when it names a pair ("de-en") and the last part is not one of its two.
 */
export function languageFromFileName(path: string): string | undefined {
  const parts = basename(path).split(".");
  if (parts.length < 2) return undefined;
  parts.shift(); // the stem ("corpus", "tatoeba") is a name, never the language part
  while (parts.length > 0 && fileKindParts.has(parts[parts.length - 1]!.toLowerCase())) parts.pop();
  const last = parts[parts.length - 1];
  // Only short codes, never names: "notes.german" is too unlike a Moses file name to trust.
  if (last === undefined || !/^[a-z]{2,3}([-_]([A-Z]{2}|[A-Z][a-z]{3}))?$/.test(last)) return undefined;
  const language = normaliseLanguage(last);
  if (language === undefined) return undefined;
  const pair = parts.slice(0, -1).map((p) => pairPart.exec(p.toLowerCase())).find((m) => m !== null);
  if (pair && !pair.slice(1, 3).some((code) => sameLanguage(code!, language))) return undefined;
  return language;
}
