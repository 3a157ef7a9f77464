// Reading a judge's raw output. Anything that is not exactly the expected answer gives null (missing),
// never a number: a misread score would silently move an average, a missing one only shrinks its n.
import { criteriaKeys, type CriterionKey } from "./judgePrompts.js";

/**
 * Relevance: the last 0 or 1 the judge writes counts (paper 002). Numbers are read as whole digit runs,
 * so "10" or "2021" is not a 1, and a decimal such as "0.5" is not a 0; null when no 0 or 1 is written.
 */
export function parseRelevance(text: string): 0 | 1 | null {
  let last: 0 | 1 | null = null;
  for (const m of text.matchAll(/\d+(?:[.,]\d+)?/g)) {
    if (m[0] === "0") last = 0;
    else if (m[0] === "1") last = 1;
  }
  return last;
}

/** The first JSON object in the text (the grammar makes it the whole text; a retry without one may add prose). */
function jsonObject(text: string): Record<string, unknown> | null {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end < start) return null;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const integerIn = (value: unknown, min: number, max: number): number | null =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? value : null;

/** Paper 002's six criteria, 1–3 stars each; null unless every key is present with a whole star count in range. */
export function parseCriteria(text: string): Record<CriterionKey, 1 | 2 | 3> | null {
  const object = jsonObject(text);
  if (!object) return null;
  const out: Partial<Record<CriterionKey, 1 | 2 | 3>> = {};
  for (const key of criteriaKeys) {
    const stars = integerIn(object[key], 1, 3);
    if (stars === null) return null;
    out[key] = stars as 1 | 2 | 3;
  }
  return out as Record<CriterionKey, 1 | 2 | 3>;
}

/** Paper 003's helpfulness, a whole number 1–6 under "score"; the explanation is kept when it is a string. */
export function parseHelpfulness(text: string): { score: number; explanation: string | null } | null {
  const object = jsonObject(text);
  if (!object) return null;
  const score = integerIn(object.score, 1, 6);
  if (score === null) return null;
  return { score, explanation: typeof object.explanation === "string" ? object.explanation : null };
}

/** Modifier fulfilment (paper 002 §5.2): `{"fulfilled": 0|1}` with an optional string explanation; null for anything else. */
export function parseModifierVerdict(text: string): { fulfilled: 0 | 1; explanation: string | null } | null {
  const object = jsonObject(text);
  if (!object) return null;
  const { fulfilled, explanation } = object;
  if (fulfilled !== 0 && fulfilled !== 1) return null;
  return { fulfilled, explanation: typeof explanation === "string" ? explanation : null };
}
