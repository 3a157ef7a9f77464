// Language correctness (paper 002, §3): does the language identified for the whole response equal the
// prompt's? lid.176's top label, no confidence threshold, as the paper counts it.
import { sameLanguage } from "../../data/languageCodes.js";
import type { LanguageGuess, LanguageIdentifier } from "../../langid/loadLanguageIdentifier.js";

export interface LanguageCorrectness {
  /** 1 when the identified language is the target, else 0 (an empty response is identified as "und": 0). */
  correct: 0 | 1;
  identified: LanguageGuess;
}

/** `target` is any code `normaliseLanguage` reads ("pt", "pt-BR", "por"); compared with lid.176's label by the engine's one rule, `sameLanguage`. */
export function languageCorrectness(identifier: LanguageIdentifier, response: string, target: string): LanguageCorrectness {
  const identified = identifier.identify(response);
  return { correct: sameLanguage(identified.language, target) ? 1 : 0, identified };
}
