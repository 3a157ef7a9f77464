// The prompts are paper 003's (Kew, Schottmann & Sennrich 2024) word for word. The expected texts here
// were copied by hand from the paper's Fig. 10 and Fig. 9 (../shared/seeds/003_*.txt), not from the code.
import { describe, expect, it } from "vitest";
import { fillTemplate, languageName, promptRecord, templateHash, translationTemplates } from "../../../electron/engine/translate/translationPrompt.js";

const fig10 = `You are a helpful assistant.

Translate the following conversation between a human and an AI assistant into {{target_language}}. Keep the structure of the original text and preserve things like code, names and role labels (e.g. <S1>, <S2>). Please ensure that your response contains only the translated text. The translation must convey the same meaning as the original and be natural for native speakers with correct grammar and proper word choices. Your translation must also use exact terminology to provide accurate information even for the experts in the related fields.

Original:

{{training_instance}}

Translation into {{target_language}}:`;

// Fig. 9's box wraps lines at its width; the sentences are the paper's.
const fig9 = `You are a helpful assistant.

Translate the following text into {{target_language}}. Keep the structure of the original text and preserve things like code and names. Please ensure that your response contains only the translated text. The translation must convey the same meaning as the original and be natural for native speakers with correct grammar and proper word choices. Your translation must also use exact terminology to provide accurate information even for the experts in the related fields.
Original:
{{source_text}}

Translation into {{target_language}}:`;

describe("the translation prompt of paper 003", () => {
  it("Fig. 10 (conversations): the system message and the user message are the paper's text", () => {
    const t = translationTemplates["kew2024-fig10"];
    expect(`${t.system}\n\n${t.user}`).toBe(fig10);
  });

  it("Fig. 9 (plain text) likewise", () => {
    const t = translationTemplates["kew2024-fig9"];
    expect(`${t.system}\n\n${t.user}`).toBe(fig9);
  });

  it("fills the target language and the source in one pass: text in the source is never read as a placeholder", () => {
    const source = "<S1> Write {{target_language}} and $& and {{training_instance}} literally.\n\n<S2> Done.";
    const { system, user } = fillTemplate(translationTemplates["kew2024-fig10"], "German", source);
    expect(system).toBe("You are a helpful assistant.");
    expect(user.startsWith("Translate the following conversation between a human and an AI assistant into German. Keep")).toBe(true);
    expect(user.endsWith(`Original:\n\n${source}\n\nTranslation into German:`)).toBe(true);
    expect(user.split("{{target_language}}")).toHaveLength(2); // only the one inside the source
  });

  it("names languages in English, Greek and Chinese as the paper's caption says", () => {
    expect(languageName("de")).toBe("German");
    expect(languageName("es")).toBe("Spanish");
    expect(languageName("ru")).toBe("Russian");
    expect(languageName("zh")).toBe("Mandarin Chinese");
    expect(languageName("el")).toBe("standard modern Greek");
    expect(languageName("sw")).toBe("Swahili"); // ISO's "Swahili (macrolanguage)", without the qualifier
    expect(languageName("yue")).toBe("Yue Chinese");
    expect(languageName("xx")).toBeUndefined();
  });

  it("records the prompt as template id and a hash of its exact text", () => {
    const t = translationTemplates["kew2024-fig10"];
    expect(promptRecord(t)).toBe(`kew2024-fig10@${templateHash(t)}`);
    expect(templateHash(t)).toMatch(/^[0-9a-f]{16}$/);
    expect(templateHash(t)).not.toBe(templateHash(translationTemplates["kew2024-fig9"]));
  });
});
