// Rule-based modifier fulfilment (paper 002 §5.2, Table 1) for the modifiers a program can check: the
// answer language, word capitals, HTML, arrow points, markdown and "list N options". The others (short,
// long, styles, two-hop instructions) need the judge. Each rule returns 1 or 0; null only when the
// modifier is not rule-checkable. The modifier texts checked against are the Chirkova et al. set's.
import { sameLanguage } from "../../data/languageCodes.js";

export type ModifierKind = "rule" | "judge";

const ruled = /^(?:lang_.+|cap_template|html_template|arrow_template|markdown_template|num_items_\d+)$/;

/** Whether a modifier type is checked by rule or needs the judge. */
export function modifierKind(modifier: string): ModifierKind {
  return ruled.test(modifier) ? "rule" : "judge";
}

// Words: runs of letters (with marks, inner apostrophes and hyphens); only those starting with a cased letter count for capitals.
const word = /\p{L}[\p{L}\p{M}'’-]*/gu;
const cased = (c: string): boolean => c.toUpperCase() !== c.toLowerCase();

/**
 * "Capitalize each first letter in the answer" (ru: "write each word with a capital letter"): every word
 * that starts with a cased letter starts with a capital. An answer written all in capitals (every cased
 * letter upper case) also passes. An answer with no cased word (e.g. Chinese) fails: nothing was capitalised.
 */
export function capitalisedWords(text: string): 0 | 1 {
  const words = (text.match(word) ?? []).filter((w) => cased(w[0]!));
  if (words.length === 0) return 0;
  return words.every((w) => w[0] === w[0]!.toUpperCase() && w[0] !== w[0]!.toLowerCase()) ? 1 : 0;
}

const htmlElements = "html|head|body|title|h[1-6]|p|div|span|ul|ol|li|table|tr|td|th|strong|em|b|i|a|section|article|header|footer|main|nav|pre|code|blockquote";

/** "Format your answer as an html page": at least one HTML element opened and closed (`<p>…</p>`), or a `<!DOCTYPE html>`. */
export function hasHtml(text: string): 0 | 1 {
  if (/<!doctype\s+html/i.test(text)) return 1;
  const paired = new RegExp(`<(${htmlElements})(?:\\s[^<>]*)?>[\\s\\S]*?</\\1\\s*>`, "i");
  return paired.test(text) ? 1 : 0;
}

// A line that starts a point: a bullet, a number or letter with "." or ")", or an arrow.
const arrow = /^\s*(?:-+>|—>|=>|→|➔|➜)/u;
const otherMarker = /^\s*(?:[-*•+·▪◦](?:\s|$)|\d{1,3}[.)](?:\s|$)|[a-z][.)]\s)/iu;

/**
 * "Begin each point with the sign -->" (the paper prints "->"): at least one line starts with an arrow
 * (any run of dashes then ">", or →), and no line starts a point with another marker (bullet, number).
 */
export function arrowPoints(text: string): 0 | 1 {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const arrows = lines.filter((l) => arrow.test(l)).length;
  const others = lines.filter((l) => !arrow.test(l) && otherMarker.test(l)).length;
  return arrows > 0 && others === 0 ? 1 : 0;
}

/**
 * "Use markdown formatting": at least one markdown construct beyond plain numbered lines — a heading
 * (`# `), bold or italic with asterisks or underscores, inline or fenced code, a link, a table rule, a
 * block quote, or a bullet list item (`- `, `* `, `+ `).
 */
export function hasMarkdown(text: string): 0 | 1 {
  const constructs = [
    /^\s{0,3}#{1,6}\s+\S/m,
    /\*\*[^*\n]+\*\*|__[^_\n]+__/,
    /(?<![*\w])\*[^*\s][^*\n]*\*(?!\*)/,
    /`[^`\n]+`|^```/m,
    /\[[^\]\n]+\]\([^)\s]+\)/,
    /^\s*\|?\s*:?-{3,}:?\s*\|/m,
    /^\s{0,3}>\s+\S/m,
    /^\s*[-*+]\s+\S/m,
  ];
  return constructs.some((c) => c.test(text)) ? 1 : 0;
}

const listMarker = /^(\s*)(?:[-*•+·▪◦]|\d{1,3}[.)]|-+>|→)\s+\S/u;

/**
 * The number of top-level list items: lines starting with a bullet, a number ("1." or "1)") or an arrow,
 * at the smallest indentation any item has (sub-points indented under an item do not count). 0 when
 * the response has no list.
 */
export function countListItems(text: string): number {
  const indents: number[] = [];
  for (const line of text.replace(/\t/g, "    ").split("\n")) {
    const m = listMarker.exec(line);
    if (m) indents.push(m[1]!.length);
  }
  if (indents.length === 0) return 0;
  const top = Math.min(...indents);
  return indents.filter((i) => i === top).length;
}

export interface ModifierCheck {
  /** 1 fulfilled, 0 not; null: not rule-checkable (the judge decides) or the response's language is unknown. */
  fulfilled: 0 | 1 | null;
  /** What the rule saw (counted items, identified language), for the drill-down. */
  detail: Record<string, unknown>;
}

/** The rule for one modifier applied to one response; `identified` is lid.176's label of the whole response. */
export function checkModifier(modifier: string, response: string, identified: string): ModifierCheck {
  const lang = /^lang_(.+)$/.exec(modifier);
  if (lang) return { fulfilled: sameLanguage(identified, lang[1]!) ? 1 : 0, detail: { rule: "the response's identified language is the one asked for", identified, expected: lang[1]! } };
  const items = /^num_items_(\d+)$/.exec(modifier);
  if (items) {
    const counted = countListItems(response);
    return { fulfilled: counted === Number(items[1]) ? 1 : 0, detail: { rule: "a list of exactly N top-level items", expected: Number(items[1]), counted } };
  }
  switch (modifier) {
    case "cap_template":
      return { fulfilled: capitalisedWords(response), detail: { rule: "every word starts with a capital (or all capitals)" } };
    case "html_template":
      return { fulfilled: hasHtml(response), detail: { rule: "an HTML element opened and closed, or a doctype" } };
    case "arrow_template":
      return { fulfilled: arrowPoints(response), detail: { rule: "points start with an arrow (-->), none with another marker" } };
    case "markdown_template":
      return { fulfilled: hasMarkdown(response), detail: { rule: "a markdown heading, emphasis, code, link, table, quote or bullet" } };
    default:
      return { fulfilled: null, detail: {} };
  }
}
