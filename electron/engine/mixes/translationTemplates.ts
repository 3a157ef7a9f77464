// CrossAlpaca's translation-following demonstrations (paper 004 §3.2, Fig. 2) are Alpaca instructions
// such as "Translate the following sentence into German." A few phrasings per instruction language, so
// the model learns the task rather than one string; language names come from ICU (Intl.DisplayNames) in
// the instruction's own language, in the form each sentence below takes them.

/** Each template takes the target language's name as that instruction language writes it. */
const templates: Record<string, ReadonlyArray<(name: string) => string>> = {
  en: [(l) => `Translate the following sentence into ${l}.`, (l) => `Translate this text into ${l}.`, (l) => `Give the ${l} translation of the following sentence.`],
  de: [(l) => `Übersetze den folgenden Satz auf ${l}.`, (l) => `Übersetze diesen Text auf ${l}.`, (l) => `Gib die Übersetzung des folgenden Satzes auf ${l} an.`],
  es: [(l) => `Traduce la siguiente oración al ${l}.`, (l) => `Traduce este texto al ${l}.`, (l) => `Escribe la traducción al ${l} de la siguiente oración.`],
  fr: [(l) => `Traduis la phrase suivante en ${l}.`, (l) => `Traduis ce texte en ${l}.`, (l) => `Donne la traduction en ${l} de la phrase suivante.`],
  it: [(l) => `Traduci la seguente frase in ${l}.`, (l) => `Traduci questo testo in ${l}.`, (l) => `Scrivi la traduzione in ${l} della seguente frase.`],
  pt: [(l) => `Traduza a seguinte frase para o ${l}.`, (l) => `Traduza este texto para o ${l}.`, (l) => `Escreva a tradução para o ${l} da seguinte frase.`],
  ru: [(l) => `Переведи следующее предложение на ${l} язык.`, (l) => `Переведи этот текст на ${l} язык.`, (l) => `Напиши перевод следующего предложения на ${l} язык.`],
  zh: [(l) => `把下面的句子翻译成${l}。`, (l) => `请将这段文字翻译成${l}。`, (l) => `给出下面句子的${l}译文。`],
};

/** The instruction languages that have their own templates; others fall back to English. */
export const templateInstructionLanguages = Object.keys(templates);

const names = new Map<string, Intl.DisplayNames>();

/** A language's name in `inLanguage` ("German" in English, "Deutsch" in German, "alemán" in Spanish). */
export function languageName(code: string, inLanguage: string): string {
  let display = names.get(inLanguage);
  if (!display) {
    display = new Intl.DisplayNames([inLanguage], { type: "language", fallback: "code" });
    names.set(inLanguage, display);
  }
  try {
    // ICU's forms fit the sentences: "auf Deutsch", "al alemán", "на немецкий язык", "翻译成德语".
    return display.of(code) ?? code;
  } catch {
    return code;
  }
}

/** How many phrasings an instruction language has (the English ones when it has none). */
export function templateCount(instructionLanguage: string): number {
  return (templates[instructionLanguage] ?? templates.en!).length;
}

/** Whether an instruction language has templates of its own. */
export function hasTemplates(instructionLanguage: string): boolean {
  return templates[instructionLanguage] !== undefined;
}

/**
 * The instruction for translating into `targetLanguage`, written in `instructionLanguage` (English when
 * that has no templates), phrasing number `variant` (modulo the number of phrasings).
 */
export function translationInstruction(instructionLanguage: string, targetLanguage: string, variant: number): string {
  const lang = hasTemplates(instructionLanguage) ? instructionLanguage : "en";
  const list = templates[lang]!;
  const template = list[((variant % list.length) + list.length) % list.length]!;
  return template(languageName(targetLanguage, lang));
}
