// Whether an output is kept: placeholders intact, not cut off by the token bound, and in the target
// language as the real language identifier (fastText lid.176) reads it. Outputs are hand-written.
import { beforeAll, describe, expect, it } from "vitest";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { toPlaceholderText } from "../../../electron/engine/translate/conversationPlaceholders.js";
import { judgeTranslation } from "../../../electron/engine/translate/TranslationJobs.js";

let identifier: LanguageIdentifier;
beforeAll(async () => {
  identifier = await loadLanguageIdentifier();
});

const source = toPlaceholderText([
  { role: "user", content: "Give me three tips for staying healthy." },
  { role: "assistant", content: "Eat a balanced diet, exercise regularly and get enough sleep every night." },
]);
const spanish = "<S1> Dame tres consejos para mantenerme saludable.\n\n<S2> Lleva una dieta equilibrada, haz ejercicio con regularidad y duerme lo suficiente cada noche.";
const decoding = { truncatedAt: null, tokens: 40, seconds: 0.5 };

describe("judging a translation", () => {
  it("keeps a Spanish translation whose placeholders survived, with its turns and identified language", () => {
    const r = judgeTranslation(spanish, source, "es", identifier, decoding);
    expect(r.flags).toEqual([]);
    expect(r.kept).toBe(true);
    expect(r.identifiedLanguage).toBe("es");
    expect(r.confidence).toBeGreaterThan(0.8);
    expect(r.turns).toEqual([
      { role: "user", content: "Dame tres consejos para mantenerme saludable." },
      { role: "assistant", content: "Lleva una dieta equilibrada, haz ejercicio con regularidad y duerme lo suficiente cada noche." },
    ]);
    expect(r.raw).toBe(spanish);
  });

  it("flags an output left in English when German was asked for", () => {
    const english = "<S1> Give me three tips for staying healthy.\n\n<S2> Eat a balanced diet, exercise regularly and get enough sleep every night.";
    const r = judgeTranslation(english, source, "de", identifier, decoding);
    expect(r.kept).toBe(false);
    expect(r.flags.map((f) => f.code)).toEqual(["wrong-language"]);
    expect(r.flags[0]!.message).toMatch(/identified as en .*not de/);
    expect(r.identifiedLanguage).toBe("en");
  });

  it("flags an output that ran into the token bound, and every other reason with it", () => {
    const r = judgeTranslation("<S1> Dame tres consejos para mantenerme saludable. Dame tres consejos para", source, "es", identifier, { truncatedAt: 40, tokens: 40, seconds: 1 });
    expect(r.kept).toBe(false);
    expect(r.flags.map((f) => f.code)).toEqual(["placeholder-missing", "truncated"]);
    expect(r.turns).toBeNull();
  });
});
