import type { TextLine } from "./decodeText.js";
import type { RawRecord } from "./jsonRecords.js";

const humanTurn = /^###\s*Human\s*:/;

/**
 * A plain-text Guanaco/OpenAssistant file: conversations of "### Human: …" and "### Assistant: …" turns.
 * A new conversation starts at a "### Human:" line that follows a blank line; a "### Human:" right after
 * an answer's last line continues the same conversation (multi-turn). Each record is {text}.
 */
export async function* guanacoTextRecords(lines: AsyncIterable<TextLine>, maxRecordChars = 64 * 1024 * 1024): AsyncGenerator<RawRecord> {
  let parts: string[] = [];
  let chars = 0;
  let start = 0;
  let index = 0;
  let afterBlank = true;
  let broken: string | null = null;
  const close = (): RawRecord | null => {
    if (start === 0) return null;
    index++;
    const record: RawRecord = broken
      ? { line: start, index, error: broken }
      : chars > maxRecordChars
        ? { line: start, index, error: `the conversation starting on line ${start} is longer than ${Math.round(maxRecordChars / (1024 * 1024))} MiB of text` }
        : { line: start, index, value: { text: parts.join("\n").trim() } };
    parts = [];
    chars = 0;
    start = 0;
    broken = null;
    return record;
  };
  for await (const item of lines) {
    if ("error" in item) {
      if (start === 0) start = item.line;
      broken ??= item.error;
      afterBlank = false;
      continue;
    }
    const blank = item.text.trim() === "";
    if (!blank && humanTurn.test(item.text) && afterBlank) {
      const done = close();
      if (done) yield done;
    }
    if (!blank && start === 0) start = item.line;
    if (start !== 0) {
      chars += item.text.length + 1;
      if (chars <= maxRecordChars) parts.push(item.text);
    }
    afterBlank = blank;
  }
  const done = close();
  if (done) yield done;
}
