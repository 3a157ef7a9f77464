import { PolytuneError } from "../../shared/PolytuneError.js";
import { normaliseLanguage } from "./languageCodes.js";

export const chooseLanguagesHint = "Give the two languages in the import wizard, or with --source-lang and --target-lang (for example en and de).";

/** A language the user gave for one side, normalised; refused when it names no language. */
export function givenLanguage(code: string | undefined, side: "source" | "target"): string | undefined {
  if (code === undefined || code.trim() === "") return undefined;
  const language = normaliseLanguage(code);
  if (language === undefined) {
    throw new PolytuneError("data-language", `"${code}" is not a language code Polytune knows (the ${side} language).`, {
      where: `languages.${side}`,
      hint: "Use an ISO 639 code such as en, de, zh or pt (three-letter codes such as deu and names such as German work too).",
    });
  }
  return language;
}

/** Refuses a pair whose two sides are one language: a translation demonstration needs two. */
export function requireTwoLanguages(source: string, target: string, where: string): void {
  if (source === target) {
    throw new PolytuneError("data-languages", `Both sides of the parallel data are in the same language (${source}).`, { where, hint: chooseLanguagesHint });
  }
}

/** "utf-8" when both files agree, else each file's encoding named. */
export function combinedEncoding(parts: { name: string; encoding: string }[]): string {
  const distinct = new Set(parts.map((p) => p.encoding));
  return distinct.size === 1 ? parts[0]!.encoding : parts.map((p) => `${p.name}: ${p.encoding}`).join("; ");
}
