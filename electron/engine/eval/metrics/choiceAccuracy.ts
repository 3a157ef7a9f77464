// Reading a classification answer out of a model's output: an X-CSQA letter (A–E) or an XNLI label,
// written as text, or chosen by rank classification (the choice whose continuation the model finds
// most likely, as lm-evaluation-harness scores XNLI). Accuracy is then 0/1 per item.

/** XNLI's labels in the order of its numeric ids (Hugging Face `xnli`, MNLI): 0, 1, 2. */
export const nliLabels = ["entailment", "neutral", "contradiction"] as const;
export type NliLabel = (typeof nliLabels)[number];

export const mcqLetters = ["A", "B", "C", "D", "E"] as const;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The letter a free-text answer names, or null. Accepts a bare letter and the usual wrappings:
 * "B", "b", "B)", "(b)", "[B]", "B.", "B: Paris", "B) Paris", "Answer: B", "The answer is (B)".
 * A sentence that merely contains a capital letter ("A dog…") is not an answer: the letter must
 * stand alone or be marked as an option or as the answer.
 */
export function parseChoiceLetter(text: string, letters: readonly string[] = mcqLetters): string | null {
  const set = letters.map(escape).join("|");
  const t = text.trim();
  // The whole answer is the letter, maybe bracketed or followed by punctuation.
  const bare = new RegExp(`^[\\s"'“«(\\[]*(${set})[\\s"'”»)\\].:]*$`, "i").exec(t);
  if (bare) return canonical(bare[1]!, letters);
  // An option marker at the start: "B) …", "(b) …", "B. …", "B: …".
  const marker = new RegExp(`^[(\\[]?(${set})[)\\].:](?:\\s|$)`, "i").exec(t);
  if (marker) return canonical(marker[1]!, letters);
  // "Answer: B", "the answer is (B)", "Antwort: B" — the first such statement counts. Word edges by
  // Unicode letters (JavaScript's \b only knows ASCII, so it would miss "Ответ"). After the keyword a
  // bare letter must be a capital ("the answer is a dog" names no option); a bracketed one may be small.
  const keyword = /(?<![\p{L}\p{N}])(?:answer|antwort|réponse|respuesta|resposta|risposta|ответ|答案)(?![\p{L}\p{N}])/iu.exec(t);
  if (keyword) {
    const rest = t.slice(keyword.index + keyword[0].length).split("\n")[0]!.slice(0, 24);
    const upper = letters.map((l) => escape(l.toUpperCase())).join("|");
    const lower = letters.map((l) => escape(l.toLowerCase())).join("|");
    const stated = new RegExp(`^[^\\p{L}\\p{N}]{0,4}(?:(?:is|ist|est|es|é|è)\\s+)?(?:[(\\[](${upper}|${lower})[)\\]]|(?<![\\p{L}\\p{N}])(${upper})(?![\\p{L}\\p{N}]))`, "u").exec(rest);
    if (stated) return canonical((stated[1] ?? stated[2])!, letters);
  }
  return null;
}

function canonical(letter: string, letters: readonly string[]): string | null {
  return letters.find((l) => l.toLowerCase() === letter.toLowerCase()) ?? null;
}

/** An NLI label from a name (any case) or its numeric id 0/1/2 (number or digit string); null if neither. */
export function parseNliLabel(value: unknown): NliLabel | null {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value < 3 ? nliLabels[value]! : null;
  if (typeof value !== "string") return null;
  const t = value.trim().toLowerCase().replace(/^[\s"'([]+|[\s"').\]:]+$/g, "");
  if (/^[012]$/.test(t)) return nliLabels[Number(t)]!;
  return (nliLabels as readonly string[]).includes(t) ? (t as NliLabel) : null;
}

/**
 * Rank classification: the choice with the highest log-likelihood; ties go to the earlier choice (as
 * numpy's argmax, which lm-evaluation-harness uses). `scores` is keyed by choice, or an array in
 * choice order. Null when a choice is missing or a value is not a finite number.
 */
export function rankChoice(scores: Record<string, unknown> | readonly unknown[], choices: readonly string[]): string | null {
  const values = choices.map((c, i) => (Array.isArray(scores) ? scores[i] : (scores as Record<string, unknown>)[c]));
  if (Array.isArray(scores) && scores.length !== choices.length) return null;
  if (values.some((v) => typeof v !== "number" || !Number.isFinite(v))) return null;
  let best = 0;
  values.forEach((v, i) => {
    if ((v as number) > (values[best] as number)) best = i;
  });
  return choices[best]!;
}

/** Per-item accuracy on the 0/1 scale ("fraction"); the suite's aggregate reports it ×100. */
export const choiceAccuracy = (predicted: string | null, gold: string): 0 | 1 => (predicted !== null && predicted === gold ? 1 : 0);
