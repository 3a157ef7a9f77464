// The prompts the evaluation job decodes, per task and language. English texts are the papers'; the
// other languages are Polytune's translations (not reviewed by native speakers), listed in each task's
// notes. A language without a translation is prompted in English (cross-lingual), and the notes say so.
import { answerPrefixes } from "../metrics/startMatch.js";

interface QaWords {
  instruction: string;
  passage: string;
  question: string;
  note: string;
}

// Extractive QA (paper 003 §4.3, Table 5): Lai et al. (2023)'s English prompt. The forced response
// prefix is startMatch's `answerPrefixes`, followed by an opening quotation mark as in Table 5.
const qaWords: Readonly<Record<string, QaWords>> = {
  en: {
    instruction: "Answer the question from the given passage. Your answer should be directly extracted from the passage, and it should be a single entity, name, or number, not a sentence.",
    passage: "Passage:",
    question: "Question:",
    note: "Note: Your answer should be directly extracted from the passage and be a single entity, name, or number. Provide the answer in quotations.",
  },
  de: {
    instruction: "Beantworte die Frage anhand des gegebenen Textes. Deine Antwort soll direkt aus dem Text entnommen sein und eine einzelne Entität, ein Name oder eine Zahl sein, kein Satz.",
    passage: "Text:",
    question: "Frage:",
    note: "Hinweis: Deine Antwort soll direkt aus dem Text entnommen sein und eine einzelne Entität, ein Name oder eine Zahl sein. Gib die Antwort in Anführungszeichen an.",
  },
  fr: {
    instruction: "Réponds à la question à partir du passage donné. Ta réponse doit être extraite directement du passage et être une seule entité, un nom ou un nombre, pas une phrase.",
    passage: "Passage :",
    question: "Question :",
    note: "Remarque : ta réponse doit être extraite directement du passage et être une seule entité, un nom ou un nombre. Donne la réponse entre guillemets.",
  },
  es: {
    instruction: "Responde a la pregunta a partir del pasaje dado. Tu respuesta debe extraerse directamente del pasaje y ser una sola entidad, nombre o número, no una oración.",
    passage: "Pasaje:",
    question: "Pregunta:",
    note: "Nota: tu respuesta debe extraerse directamente del pasaje y ser una sola entidad, nombre o número. Escribe la respuesta entre comillas.",
  },
  pt: {
    instruction: "Responda à pergunta com base no texto dado. Sua resposta deve ser extraída diretamente do texto e ser uma única entidade, nome ou número, não uma frase.",
    passage: "Texto:",
    question: "Pergunta:",
    note: "Observação: sua resposta deve ser extraída diretamente do texto e ser uma única entidade, nome ou número. Escreva a resposta entre aspas.",
  },
  ru: {
    instruction: "Ответь на вопрос по данному тексту. Ответ должен быть взят непосредственно из текста и быть одной сущностью, именем или числом, а не предложением.",
    passage: "Текст:",
    question: "Вопрос:",
    note: "Примечание: ответ должен быть взят непосредственно из текста и быть одной сущностью, именем или числом. Дай ответ в кавычках.",
  },
  zh: {
    instruction: "根据给定的段落回答问题。你的答案应直接摘自段落，并且应是单个实体、名称或数字，而不是句子。",
    passage: "段落：",
    question: "问题：",
    note: "注意：你的答案应直接摘自段落，并且是单个实体、名称或数字。请将答案放在引号中。",
  },
};

/** Languages written without spaces between words: no space before the opening quotation mark. */
const unspaced = new Set(["zh", "ja", "th"]);

export interface BuiltPrompt {
  prompt: string;
  /** The language the instruction is written in ("en" when cross-lingual or untranslated). */
  instructionLanguage: string;
}

/** The QA prompt and forced response prefix for a passage and question in `language`. */
export function qaPrompt(language: string, passage: string, question: string, crossLingual: boolean): BuiltPrompt & { responsePrefix: string } {
  const own = !crossLingual && qaWords[language] !== undefined && answerPrefixes[language] !== undefined;
  const lang = own ? language : "en";
  const w = qaWords[lang]!;
  const prompt = `${w.instruction}\n\n${w.passage}\n\n${passage}\n\n${w.question}\n\n${question}\n\n${w.note}`;
  const responsePrefix = `${answerPrefixes[lang]!.text}${unspaced.has(lang) ? "" : " "}"`;
  return { prompt, responsePrefix, instructionLanguage: lang };
}

export const qaPromptLanguages: readonly string[] = Object.keys(qaWords);

// Sentence simplification (paper 003 §4.2, Table 4): the instructions given to crowdworkers for ASSET
// (Alva-Manchego et al., 2020), with "learners of English" removed so the language is left to the input.
const simplificationWords: Readonly<Record<string, { instruction: string; sentence: string }>> = {
  en: {
    instruction:
      "Please rewrite the following complex sentence in order to make it easier to understand. You can do so by replacing complex words with simpler synonyms (i.e. paraphrasing), deleting unimportant information (i.e. compression), and/or splitting a long complex sentence into several simpler ones. The final simplified sentence needs to be grammatical, fluent, and retain the main ideas of its original counterpart without altering its meaning.",
    sentence: "Complex sentence:",
  },
  de: {
    instruction:
      "Bitte formuliere den folgenden komplexen Satz so um, dass er leichter zu verstehen ist. Du kannst dazu komplexe Wörter durch einfachere Synonyme ersetzen (d. h. paraphrasieren), unwichtige Informationen streichen (d. h. kürzen) und/oder einen langen, komplexen Satz in mehrere einfachere Sätze aufteilen. Der vereinfachte Satz muss grammatisch korrekt und flüssig sein und die Hauptaussagen des Originals beibehalten, ohne dessen Bedeutung zu verändern.",
    sentence: "Komplexer Satz:",
  },
  fr: {
    instruction:
      "Réécris la phrase complexe suivante afin de la rendre plus facile à comprendre. Tu peux pour cela remplacer des mots complexes par des synonymes plus simples (paraphrase), supprimer les informations sans importance (compression) et/ou découper une phrase longue et complexe en plusieurs phrases plus simples. La phrase simplifiée doit être grammaticale, fluide et conserver les idées principales de la phrase d'origine sans en modifier le sens.",
    sentence: "Phrase complexe :",
  },
  es: {
    instruction:
      "Reescribe la siguiente oración compleja para que sea más fácil de entender. Puedes hacerlo sustituyendo palabras complejas por sinónimos más sencillos (es decir, parafraseando), eliminando información poco importante (es decir, comprimiendo) y/o dividiendo una oración larga y compleja en varias más sencillas. La oración simplificada debe ser gramatical, fluida y conservar las ideas principales de la original sin alterar su significado.",
    sentence: "Oración compleja:",
  },
  pt: {
    instruction:
      "Reescreva a seguinte frase complexa para torná-la mais fácil de entender. Você pode fazer isso substituindo palavras complexas por sinônimos mais simples (ou seja, parafraseando), eliminando informações sem importância (ou seja, comprimindo) e/ou dividindo uma frase longa e complexa em várias frases mais simples. A frase simplificada deve ser gramatical, fluente e manter as ideias principais da original sem alterar o seu significado.",
    sentence: "Frase complexa:",
  },
  it: {
    instruction:
      "Riscrivi la seguente frase complessa per renderla più facile da capire. Puoi farlo sostituendo le parole complesse con sinonimi più semplici (cioè parafrasando), eliminando le informazioni non importanti (cioè comprimendo) e/o dividendo una frase lunga e complessa in più frasi semplici. La frase semplificata deve essere grammaticale, scorrevole e mantenere le idee principali dell'originale senza alterarne il significato.",
    sentence: "Frase complessa:",
  },
  ru: {
    instruction:
      "Перепиши следующее сложное предложение так, чтобы его было легче понять. Для этого можно заменить сложные слова более простыми синонимами (перефразирование), удалить неважную информацию (сжатие) и/или разбить длинное сложное предложение на несколько более простых. Упрощённое предложение должно быть грамматически правильным, естественным и сохранять основные мысли исходного предложения, не меняя его смысла.",
    sentence: "Сложное предложение:",
  },
};

export function simplificationPrompt(language: string, source: string, crossLingual: boolean): BuiltPrompt {
  const lang = !crossLingual && simplificationWords[language] !== undefined ? language : "en";
  const w = simplificationWords[lang]!;
  return { prompt: `${w.instruction}\n\n${w.sentence} ${source}`, instructionLanguage: lang };
}

export const simplificationPromptLanguages: readonly string[] = Object.keys(simplificationWords);

/** X-CSQA (paper 003 §4.4): the question, its lettered choices, and an English request for the letter alone. */
export function mcqPrompt(question: string, letters: readonly string[], texts: readonly string[]): string {
  const choices = letters.map((l, i) => `${l}. ${texts[i] ?? ""}`).join("\n");
  return `${question}\n\n${choices}\n\nAnswer with the letter of the correct choice (${letters.join(", ")}) only.`;
}

// XNLI by rank classification, exactly as lm-evaluation-harness's `xnli_XX` tasks (output_type
// multiple_choice, zero-shot): the context is doc_to_text `premise + ", " + QUESTION_WORD + "?"`, each
// label's choice is doc_to_choice `LABEL + ", " + hypothesis`, scored after the default target_delimiter
// " " (lm_eval/tasks/xnli/utils.py, the per-language words below copied from it).
export const xnliWords: Readonly<Record<string, { question: string; entailment: string; neutral: string; contradiction: string }>> = {
  ar: { question: "صحيح", entailment: "نعم", neutral: "لذا", contradiction: "رقم" },
  bg: { question: "правилно", entailment: "да", neutral: "така", contradiction: "не" },
  de: { question: "richtig", entailment: "Ja", neutral: "Auch", contradiction: "Nein" },
  el: { question: "σωστός", entailment: "Ναί", neutral: "Έτσι", contradiction: "όχι" },
  en: { question: "right", entailment: "Yes", neutral: "Also", contradiction: "No" },
  es: { question: "correcto", entailment: "Sí", neutral: "Asi que", contradiction: "No" },
  fr: { question: "correct", entailment: "Oui", neutral: "Aussi", contradiction: "Non" },
  hi: { question: "सही", entailment: "हाँ", neutral: "इसलिए", contradiction: "नहीं" },
  ru: { question: "правильно", entailment: "Да", neutral: "Так", contradiction: "Нет" },
  sw: { question: "sahihi", entailment: "Ndiyo", neutral: "Hivyo", contradiction: "Hapana" },
  th: { question: "ถูกต้อง", entailment: "ใช่", neutral: "ดังนั้น", contradiction: "ไม่" },
  tr: { question: "doğru", entailment: "Evet", neutral: "Böylece", contradiction: "Hayır" },
  ur: { question: "صحیح", entailment: "جی ہاں", neutral: "اس لئے", contradiction: "نہیں" },
  vi: { question: "đúng", entailment: "Vâng", neutral: "Vì vậy", contradiction: "Không" },
  zh: { question: "正确", entailment: "是的", neutral: "所以", contradiction: "不是的" },
};

/** The harness's context and three continuations (target_delimiter included) in nliLabels order (entailment, neutral, contradiction); null for a language the harness has no words for. */
export function xnliRanking(language: string, premise: string, hypothesis: string): { context: string; continuations: string[] } | null {
  const w = xnliWords[language];
  if (!w) return null;
  return { context: `${premise}, ${w.question}?`, continuations: [w.entailment, w.neutral, w.contradiction].map((label) => ` ${label}, ${hypothesis}`) };
}
