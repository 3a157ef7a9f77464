// Reading an item's scoring detail (an open JSON record from the engine) defensively, for the drill-down:
// per-line language, misspelled words, judge verdicts. Anything not in the expected shape is left out
// rather than guessed.

export interface DetailLine {
  line: number;
  text: string;
  language: string;
  confidence: number;
  correct: boolean;
}

export interface Segment {
  text: string;
  misspelled: boolean;
}

export interface JudgeEntry {
  judgement: string;
  /** The verdict as text ("1", "4", "helpfulness 3 …"); null = missing. */
  value: string | null;
  /** The judge's explanation, or its last raw answer. */
  rationale: string | null;
  /** Why the verdict is what it is regardless of the judge (forced to 1, excluded criteria). */
  note: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `detail.lines`: what lid.176 said of each checked line (see languageConfusion.ts). */
export function detailLines(detail: Record<string, unknown> | null): DetailLine[] {
  const lines = detail?.lines;
  if (!Array.isArray(lines)) return [];
  return lines.filter(
    (l): l is DetailLine => isRecord(l) && typeof l.line === "number" && typeof l.text === "string" && typeof l.language === "string" && typeof l.confidence === "number" && typeof l.correct === "boolean",
  );
}

/** `detail.identified`: the language detected for the whole response. */
export function detailIdentified(detail: Record<string, unknown> | null): { language: string; confidence: number } | null {
  const id = detail?.identified;
  return isRecord(id) && typeof id.language === "string" && typeof id.confidence === "number" ? { language: id.language, confidence: id.confidence } : null;
}

/** `detail.misspelled`: the words the dictionary rejected. */
export function detailMisspelled(detail: Record<string, unknown> | null): string[] {
  const words = detail?.misspelled;
  return Array.isArray(words) ? words.filter((w): w is string => typeof w === "string") : [];
}

// Words as a reader sees them: letters and marks, with inner apostrophes and hyphens.
const wordPattern = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * The response cut into runs of plain text and misspelled words, so the view can underline the latter.
 * A word counts as misspelled when it equals one the dictionary rejected (case-insensitively); joining
 * the segments' text gives back the response exactly.
 */
export function misspelledSegments(text: string, misspelled: readonly string[]): Segment[] {
  const bad = new Set(misspelled.map((w) => w.toLowerCase()));
  if (!bad.size || !text) return text ? [{ text, misspelled: false }] : [];
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(wordPattern)) {
    if (!bad.has(match[0].toLowerCase())) continue;
    const at = match.index;
    if (at > last) out.push({ text: text.slice(last, at), misspelled: false });
    out.push({ text: match[0], misspelled: true });
    last = at + match[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), misspelled: false });
  return out;
}

function verdictText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string") return String(value);
  if (isRecord(value)) {
    if (typeof value.score === "number") return String(value.score);
    return Object.entries(value)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(" · ");
  }
  return JSON.stringify(value);
}

/** `detail.judge` (judgeOpenItems.ts): one entry per judgement the judge made, with its rationale. */
export function judgeEntries(detail: Record<string, unknown> | null): JudgeEntry[] {
  const judge = detail?.judge;
  if (!isRecord(judge)) return [];
  return Object.entries(judge)
    .filter(([, v]) => isRecord(v))
    .map(([judgement, raw]) => {
      const v = raw as Record<string, unknown>;
      const value = isRecord(v.value) && "explanation" in v.value ? v.value.score : v.value;
      const explanation = isRecord(v.value) && typeof v.value.explanation === "string" ? v.value.explanation : null;
      const attempts = Array.isArray(v.attempts) ? v.attempts.filter(isRecord) : [];
      const lastText = attempts.length ? attempts[attempts.length - 1]!.text : null;
      const note = typeof v.forced === "string" ? v.forced : typeof v.excluded === "string" ? v.excluded : null;
      return { judgement, value: verdictText(value), rationale: explanation ?? (typeof lastText === "string" ? lastText : null), note };
    });
}

/**
 * One output's own detail: scoring keeps each seed's scores and detail under `detail.seeds` (the
 * item's row carries them all), with item-wide detail (the judge's) beside it. The seed's detail wins
 * over the item-wide keys; the seed's scores are that output's own, the item's are the seeds' mean.
 */
export function outputDetail(detail: Record<string, unknown> | null, seed: number | null): { detail: Record<string, unknown> | null; scores: Record<string, number | null> | null } {
  if (!detail) return { detail: null, scores: null };
  const { seeds, ...itemWide } = detail;
  const own = Array.isArray(seeds) ? seeds.find((x): x is Record<string, unknown> => isRecord(x) && (x.seed ?? null) === seed) : undefined;
  const ownDetail = own && isRecord(own.detail) ? own.detail : {};
  const ownScores = own && isRecord(own.scores) ? (Object.fromEntries(Object.entries(own.scores).filter(([, v]) => v === null || typeof v === "number")) as Record<string, number | null>) : null;
  return { detail: { ...itemWide, ...ownDetail }, scores: ownScores };
}

/** Keys of a scoring detail that say what the answer was checked against, or what scoring read from it (QA, NLI, MCQ, modifiers, simplification). */
export const goldKeys = ["gold", "golds", "predicted", "answer", "startAnswer", "expected", "counted", "rule", "expectedLanguage", "outputLanguage"] as const;

/** The gold and what scoring read, as label → text, in `goldKeys` order. */
export function goldFacts(detail: Record<string, unknown> | null): Array<{ key: string; value: string }> {
  if (!detail) return [];
  return goldKeys.filter((k) => detail[k] !== undefined).map((k) => ({ key: k, value: typeof detail[k] === "string" ? (detail[k] as string) : JSON.stringify(detail[k]) }));
}
