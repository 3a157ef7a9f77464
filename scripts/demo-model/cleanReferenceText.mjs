// Turns the plain-text dumps of Debian's manuals (debian-reference, developers-reference) into prose
// documents, one per numbered section: the demo model should learn each language's sentences, not
// ASCII tables, shell sessions or file lists. Pure functions of the text, so a rebuild is byte-identical.

/** Bumped whenever a rule below changes what a cleaned corpus contains (the recipe records it). */
export const cleaningVersion = 2;

const headingPattern = /^(\d+(?:\.\d+)*)\.\s+(\S.*)$/;
const underlinePattern = /^[=\-*~^#"]{3,}\s*$/;
const tableLinePattern = /^\s*[|+](?:[-=+|]|\s*$)|^\s*\|.*\|\s*$|[\u2500-\u257f]/;
const promptPattern = /^\s*(?:[$#%>]|\w[\w.-]*[:@][\w~/.-]*[$#])\s/;
const pathOnlyPattern = /^\s*[~.]?[\w.*{},-]*(?:\/[\w.*{},-]*)+\/?\s*$/;
const listMarkerPattern = /^\s*(?:[*\u2022-]|\d+\.|[a-z]\.)\s+/;
const cjkChar = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/u;

/** Letters of the script a language is written in, for dropping paragraphs left untranslated. */
const scriptOf = {
  ru: /\p{Script=Cyrillic}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
};

/** Frequent function words: a Latin-script paragraph with more English ones than its own is English. */
const functionWords = {
  en: ["the", "and", "of", "to", "is", "in", "for", "this", "with", "you", "are", "it", "be", "as", "can"],
  de: ["der", "die", "das", "und", "ist", "nicht", "mit", "sie", "ein", "eine", "den", "zu", "von", "für", "wird"],
  es: ["el", "la", "los", "las", "y", "de", "que", "es", "en", "un", "una", "para", "con", "por", "se"],
  fr: ["le", "la", "les", "et", "de", "des", "est", "un", "une", "que", "pour", "dans", "du", "sur", "pas"],
  it: ["il", "la", "le", "e", "di", "che", "è", "un", "una", "per", "con", "del", "della", "non", "si"],
  pt: ["o", "a", "os", "as", "e", "de", "que", "é", "um", "uma", "para", "com", "do", "da", "não"],
  id: ["yang", "dan", "di", "ini", "untuk", "dengan", "dari", "itu", "tidak", "dalam", "ke", "akan", "adalah", "atau", "anda"],
};

/** A line of an ASCII table or box drawing. */
export function isTableLine(line) {
  return tableLinePattern.test(line);
}

/** A line of a shell session, a file list or a listing: prompts, bare paths, few letters. */
export function isCodeLine(line) {
  const text = line.trim();
  if (text === "" ) return false;
  if (promptPattern.test(line) || pathOnlyPattern.test(text)) return true;
  const visible = [...text.replace(/\s+/g, "")];
  const letters = visible.filter((c) => /\p{L}/u.test(c)).length;
  return letters / visible.length < 0.6;
}

/** Splits at numbered section headings at the start of a line ("1.1.1. The shell prompt"). */
export function splitSections(text) {
  const sections = [];
  let current = { heading: "", lines: [] };
  for (const line of text.split("\n")) {
    const m = headingPattern.exec(line);
    if (m !== null && !line.startsWith(" ")) {
      sections.push(current);
      current = { heading: `${m[1]}. ${m[2].trim()}`, lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  sections.push(current);
  return sections.filter((s) => s.heading !== "").map((s) => ({ heading: s.heading, body: s.lines.join("\n") }));
}

/** Joins a block's wrapped lines: a space between words; nothing between CJK characters, nor after a path's
 * slash or a hyphen, where the text dump broke a word. */
export function joinWrapped(lines) {
  let out = "";
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    if (out === "") out = line;
    else if (cjkChar.test(out.at(-1) ?? "") || cjkChar.test(line[0] ?? "") || /(?:\/|\p{L}-)$/u.test(out)) out += line;
    else out += ` ${line}`;
  }
  return out;
}

function inLanguage(paragraph, lang) {
  const script = scriptOf[lang] ?? /\p{Script=Latin}/u;
  const letters = [...paragraph].filter((c) => /\p{L}/u.test(c));
  if (letters.filter((c) => script.test(c)).length < 0.5 * letters.length) return false;
  if (scriptOf[lang] !== undefined || lang === "en" || functionWords[lang] === undefined) return true;
  const words = paragraph.toLowerCase().split(/[^\p{L}]+/u);
  const count = (list) => words.filter((w) => list.includes(w)).length;
  return count(functionWords[lang]) >= count(functionWords.en);
}

function isProse(paragraph, lang) {
  const cjk = lang === "zh" || lang === "ja";
  if (paragraph.length < (cjk ? 12 : 40)) return false;
  if (!cjk && paragraph.split(/\s+/).length < 6) return false;
  // A paragraph ends as a sentence does; captions, labels and leftovers of listings do not.
  return /[.!?;:。！？；：」）)"”»]$/u.test(paragraph);
}

/** A section body's prose paragraphs, tables, listings, table captions and other-language paragraphs dropped. */
export function cleanParagraphs(body, lang) {
  const blocks = body.replace(/\u00a0/g, " ").split(/\n\s*\n/);
  const paragraphs = [];
  for (let i = 0; i < blocks.length; i++) {
    const lines = blocks[i].split("\n").filter((l) => l.trim() !== "" && !underlinePattern.test(l));
    if (lines.length === 0) continue;
    // A table's caption is the short block just before it.
    const next = blocks[i + 1]?.split("\n").find((l) => l.trim() !== "");
    if (next !== undefined && isTableLine(next) && lines.length <= 2) continue;
    const kept = lines.filter((l) => !isTableLine(l) && !isCodeLine(l));
    if (kept.length < lines.length / 2) continue;
    // Tables of contents: blocks made of numbered entries.
    if (kept.filter((l) => headingPattern.test(l.trim())).length > kept.length / 2) continue;
    const paragraph = joinWrapped(kept.map((l, k) => (k === 0 ? l.replace(listMarkerPattern, "") : l)));
    if (isProse(paragraph, lang) && inLanguage(paragraph, lang)) paragraphs.push(paragraph);
  }
  return paragraphs;
}

/**
 * One document per numbered section holding prose: `{title, text}`, one paragraph a line (a blank line
 * between paragraphs taught greedy decoding to loop on newlines).
 */
export function cleanReferenceText(text, lang) {
  const documents = [];
  for (const section of splitSections(text.replace(/\r\n?/g, "\n").replace(/\u00a0/g, " "))) {
    const paragraphs = cleanParagraphs(section.body, lang);
    if (paragraphs.length === 0) continue;
    documents.push({ title: section.heading, text: paragraphs.join("\n") });
  }
  return documents;
}
