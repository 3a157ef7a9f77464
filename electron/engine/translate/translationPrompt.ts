// The translation prompts of paper 003 (Kew, Schottmann & Sennrich 2024), word for word: Fig. 10 for
// conversations (role labels as <S1>, <S2>), Fig. 9 for plain text. "You are a helpful assistant." is
// the system message; the rest is the user's message. {{…}} are the paper's own placeholders.
import { createHash } from "node:crypto";
import { iso6393 } from "iso-639-3";
import type { TranslationTemplateId } from "../../shared/translateContract.js";

export interface TranslationTemplate {
  id: TranslationTemplateId;
  /** Where the wording comes from. */
  label: string;
  system: string;
  /** The user message; {{target_language}} and the source placeholder are filled per item. */
  user: string;
  /** The paper's name for the source text in this template. */
  sourcePlaceholder: "{{training_instance}}" | "{{source_text}}";
}

const system = "You are a helpful assistant.";

const instructions = {
  "kew2024-fig10":
    "Translate the following conversation between a human and an AI assistant into {{target_language}}. Keep the structure of the original text and preserve things like code, names and role labels (e.g. <S1>, <S2>). Please ensure that your response contains only the translated text. The translation must convey the same meaning as the original and be natural for native speakers with correct grammar and proper word choices. Your translation must also use exact terminology to provide accurate information even for the experts in the related fields.",
  // Fig. 9 prints this in a narrow box; its line breaks are the column's, so the sentences are joined.
  "kew2024-fig9":
    "Translate the following text into {{target_language}}. Keep the structure of the original text and preserve things like code and names. Please ensure that your response contains only the translated text. The translation must convey the same meaning as the original and be natural for native speakers with correct grammar and proper word choices. Your translation must also use exact terminology to provide accurate information even for the experts in the related fields.",
} as const satisfies Record<TranslationTemplateId, string>;

export const translationTemplates: Record<TranslationTemplateId, TranslationTemplate> = {
  "kew2024-fig10": {
    id: "kew2024-fig10",
    label: "Kew et al. 2024, Fig. 10 (conversations)",
    system,
    user: `${instructions["kew2024-fig10"]}\n\nOriginal:\n\n{{training_instance}}\n\nTranslation into {{target_language}}:`,
    sourcePlaceholder: "{{training_instance}}",
  },
  "kew2024-fig9": {
    id: "kew2024-fig9",
    label: "Kew et al. 2024, Fig. 9 (text)",
    system,
    user: `${instructions["kew2024-fig9"]}\nOriginal:\n{{source_text}}\n\nTranslation into {{target_language}}:`,
    sourcePlaceholder: "{{source_text}}",
  },
};

/** A short hash of a template's exact text: what every translated example records with the template id. */
export function templateHash(template: TranslationTemplate): string {
  return createHash("sha256").update(`${template.system}\n\n${template.user}`).digest("hex").slice(0, 16);
}

/** The prompt record stored on each translated example: "template-id@hash". */
export function promptRecord(template: TranslationTemplate): string {
  return `${template.id}@${templateHash(template)}`;
}

/** The filled messages for one item. One pass, so the source text is never read as a placeholder. */
export function fillTemplate(template: TranslationTemplate, targetLanguage: string, source: string): { system: string; user: string } {
  const values: Record<string, string> = { "{{target_language}}": targetLanguage, [template.sourcePlaceholder]: source };
  const user = template.user.replace(/\{\{(target_language|training_instance|source_text)\}\}/g, (whole) => values[whole] ?? whole);
  return { system: template.system, user };
}

// The paper names Greek and Chinese explicitly (Fig. 9's caption); every other language by its English name.
const paperNames: Record<string, string> = { el: "standard modern Greek", zh: "Mandarin Chinese" };

/** The English name a prompt uses for a language code ("de" → "German"), as paper 003 did. */
export function languageName(code: string): string | undefined {
  const paper = paperNames[code];
  if (paper) return paper;
  const entry = iso6393.find((l) => l.iso6391 === code) ?? iso6393.find((l) => l.iso6393 === code);
  // ISO's names carry qualifiers ("Swahili (macrolanguage)", "Modern Greek (1453-)") no prompt should say.
  return entry?.name.replace(/\s*\(.*\)$/, "");
}
