// Paper 003 App. B.2: speaker roles are replaced by placeholders (<S1>, <S2>) before a conversation is
// translated as one text, the model is told to keep them, and they are mapped back afterwards. An
// output whose placeholders did not survive cannot be split back into turns, so it is flagged.
import type { Turn } from "../data/Conversation.js";
import type { TranslationFlag } from "../../shared/translateContract.js";

/** One placeholder-marked part of a conversation: a turn's content, or an Alpaca turn's separate input. */
interface Slot {
  marker: number;
  role: Turn["role"];
  part: "content" | "input";
}

export interface PlaceholderText {
  /** The conversation as one text, each part after its placeholder, parts separated by a blank line. */
  text: string;
  /** The parts in order: restoring maps the n-th placeholder back to the n-th part. */
  slots: Slot[];
  /** Which placeholder stands for which role (and for a user turn's input). */
  markers: Record<string, number>;
}

export interface RestoredConversation {
  /** The translated turns, or null when the placeholders did not survive. */
  turns: Turn[] | null;
  flags: TranslationFlag[];
  /** The translated text without placeholders (what language identification reads). */
  plainText: string;
}

// Lenient about case and inner spaces ("< s1 >"): models retype markers; a literal one in the text is
// counted too, so the markers chosen never collide with it.
const markerPattern = /<\s*[Ss]\s*(\d{1,6})\s*>/g;

/** The placeholder text for a marker number. */
export function markerText(n: number): string {
  return `<S${n}>`;
}

/**
 * The conversation as one text with a placeholder before each part: the user role is <S1> and the
 * assistant <S2> as in the paper, then the system role and a user turn's input where present. Text that
 * already holds such markers shifts the numbering past the largest one, so it stays plain content.
 */
export function toPlaceholderText(turns: readonly Turn[]): PlaceholderText {
  let offset = 0;
  for (const t of turns) {
    for (const text of [t.content, t.input ?? ""]) {
      for (const m of text.matchAll(markerPattern)) offset = Math.max(offset, Number(m[1]));
    }
  }
  const kinds: string[] = ["user", "assistant"];
  if (turns.some((t) => t.role === "system")) kinds.push("system");
  if (turns.some((t) => t.input !== undefined && t.input !== "")) kinds.push("input");
  const markers: Record<string, number> = {};
  kinds.forEach((kind, i) => (markers[kind] = offset + i + 1));

  const slots: Slot[] = [];
  const parts: string[] = [];
  for (const t of turns) {
    slots.push({ marker: markers[t.role]!, role: t.role, part: "content" });
    parts.push(`${markerText(markers[t.role]!)} ${t.content}`);
    if (t.input !== undefined && t.input !== "") {
      slots.push({ marker: markers.input!, role: t.role, part: "input" });
      parts.push(`${markerText(markers.input!)} ${t.input}`);
    }
  }
  return { text: parts.join("\n\n"), slots, markers };
}

/**
 * Maps a translated text back to turns. The placeholders must come back exactly: each as often as in
 * the source and in the same order. Otherwise the output is flagged (missing, duplicated, reordered) and
 * no turns are returned; text before the first placeholder or a part that came back empty is flagged too.
 */
export function restoreConversation(output: string, source: PlaceholderText): RestoredConversation {
  const ours = new Set(source.slots.map((s) => s.marker));
  const found: Array<{ marker: number; start: number; end: number }> = [];
  for (const m of output.matchAll(markerPattern)) {
    const marker = Number(m[1]);
    if (ours.has(marker)) found.push({ marker, start: m.index, end: m.index + m[0].length });
  }
  const plainText = removeMarkers(output, ours);
  const flags: TranslationFlag[] = [];
  const expected = source.slots.map((s) => s.marker);
  const got = found.map((f) => f.marker);

  const missing: string[] = [];
  const duplicated: string[] = [];
  for (const marker of ours) {
    const want = expected.filter((m) => m === marker).length;
    const have = got.filter((m) => m === marker).length;
    if (have < want) missing.push(`${markerText(marker)} ${have} of ${want}`);
    if (have > want) duplicated.push(`${markerText(marker)} ${have} instead of ${want}`);
  }
  if (missing.length > 0) flags.push({ code: "placeholder-missing", message: `Placeholders lost in translation: ${missing.join(", ")}.` });
  if (duplicated.length > 0) flags.push({ code: "placeholder-duplicated", message: `Placeholders repeated in translation: ${duplicated.join(", ")}.` });
  if (missing.length === 0 && duplicated.length === 0 && got.some((m, i) => m !== expected[i])) {
    flags.push({ code: "placeholder-reordered", message: `Placeholders came back in another order: ${got.map(markerText).join(" ")} instead of ${expected.map(markerText).join(" ")}.` });
  }
  if (flags.length > 0) return { turns: null, flags, plainText };

  const before = found.length > 0 ? output.slice(0, found[0]!.start).trim() : output.trim();
  if (before !== "") flags.push({ code: "text-outside-turns", message: `Text before the first placeholder: "${clip(before)}".` });

  const turns: Turn[] = [];
  for (const [i, slot] of source.slots.entries()) {
    const text = output.slice(found[i]!.end, found[i + 1]?.start ?? output.length).trim();
    if (text === "") flags.push({ code: "empty-turn", message: `The ${slot.part === "input" ? "input" : slot.role} part after ${markerText(slot.marker)} (part ${i + 1}) came back empty.` });
    if (slot.part === "input") turns[turns.length - 1]!.input = text;
    else turns.push({ role: slot.role, content: text });
  }
  return { turns, flags, plainText };
}

/** The text without our placeholders (a literal marker that was content stays). */
function removeMarkers(text: string, ours: ReadonlySet<number>): string {
  return text
    .replace(markerPattern, (whole, n: string) => (ours.has(Number(n)) ? "\n" : whole))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
