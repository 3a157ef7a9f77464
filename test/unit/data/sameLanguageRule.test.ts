// One rule for "same language" across the engine (languageCodes.ts): codes normalised, Norwegian's
// Bokmål/Nynorsk one language as lid.176 reads them, "und" disagreeing with nothing. Evaluation and the
// translation check use it with the real identifier (fastText lid.176).
import { beforeAll, describe, expect, it } from "vitest";
import { languagesDisagree, sameLanguage } from "../../../electron/engine/data/languageCodes.js";
import { languageCorrectness } from "../../../electron/engine/eval/metrics/languageCorrectness.js";
import { linePasses } from "../../../electron/engine/eval/metrics/languageConfusion.js";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { toPlaceholderText } from "../../../electron/engine/translate/conversationPlaceholders.js";
import { judgeTranslation } from "../../../electron/engine/translate/TranslationJobs.js";

let identifier: LanguageIdentifier;
beforeAll(async () => {
  identifier = await loadLanguageIdentifier();
}, 120_000);

const bokmal = "Jeg liker å gå tur i skogen om høsten, når bladene skifter farge og luften er frisk og klar.";
const portuguese = "Eu gosto de caminhar no parque no outono, quando as folhas mudam de cor e o ar fica fresco.";

describe("sameLanguage and languagesDisagree", () => {
  it("normalise both sides: codes, regions, three-letter codes and English names", () => {
    expect(sameLanguage("deu", "de-AT")).toBe(true);
    expect(sameLanguage("German", "de")).toBe(true);
    expect(sameLanguage("pt_BR", "pt")).toBe(true);
    expect(sameLanguage("cmn", "zh")).toBe(true);
    expect(sameLanguage("de", "en")).toBe(false);
  });

  it("fold Norwegian: nb, nn and no are one language, as lid.176 labels them", () => {
    expect(sameLanguage("nn", "no")).toBe(true);
    expect(sameLanguage("nb", "nn")).toBe(true);
    expect(sameLanguage("nob", "no")).toBe(true);
    expect(languagesDisagree("nn", "no")).toBe(false);
  });

  it("never call a code that names no language the same as anything, and let it disagree with nothing", () => {
    expect(sameLanguage("und", "und")).toBe(false);
    expect(sameLanguage("Klingonish", "Klingonish")).toBe(false);
    expect(languagesDisagree("de", "und")).toBe(false);
    expect(languagesDisagree("Klingonish", "de")).toBe(false);
    expect(languagesDisagree(null, "de")).toBe(false);
    expect(languagesDisagree(undefined, "de")).toBe(false);
    expect(languagesDisagree("deu", "de")).toBe(false);
    expect(languagesDisagree("en", "de")).toBe(true);
  });
});

describe("evaluation and translation use the rule", () => {
  it("language correctness: a Bokmål answer is correct for a Nynorsk target, a Portuguese one for pt-BR", () => {
    const no = languageCorrectness(identifier, bokmal, "nn");
    expect(no.identified.language).toBe("no");
    expect(no.correct).toBe(1);
    expect(languageCorrectness(identifier, portuguese, "pt-BR").correct).toBe(1);
    expect(languageCorrectness(identifier, portuguese, "es").correct).toBe(0);
  });

  it("language confusion's line test: the same rule, with the confidence bound", () => {
    expect(linePasses({ language: "no", confidence: 0.9 }, "nb")).toBe(true);
    expect(linePasses({ language: "no", confidence: 0.9 }, "nn")).toBe(true);
    expect(linePasses({ language: "pt", confidence: 0.9 }, "pt-BR")).toBe(true);
    expect(linePasses({ language: "es", confidence: 0.9 }, "pt")).toBe(false);
  });

  it("a translation into pt-BR or nn that the identifier labels pt or no is kept, not flagged wrong-language", () => {
    const source = toPlaceholderText([
      { role: "user", content: "I like walking in the park in autumn." },
      { role: "assistant", content: "Autumn walks are lovely when the leaves change colour." },
    ]);
    const decoding = { truncatedAt: null, tokens: 30, seconds: 0.2 };
    const pt = judgeTranslation(`<S1> ${portuguese}\n\n<S2> As caminhadas de outono são lindas quando as folhas mudam de cor.`, source, "pt-BR", identifier, decoding);
    expect(pt.flags).toEqual([]);
    expect(pt.kept).toBe(true);
    const no = judgeTranslation(`<S1> ${bokmal}\n\n<S2> Høstturer er fine når bladene skifter farge i skogen.`, source, "nn", identifier, decoding);
    expect(no.identifiedLanguage).toBe("no");
    expect(no.flags.map((f) => f.code)).toEqual([]);
  });
});
