import type { ExampleRow, TurnShape } from "../../shared/datasetContract.js";
import type { MixItem } from "./buildMix.js";

/**
 * One line of a mix's training file, in the shapes `data/loadInstructionData.ts` reads: Alpaca
 * `{instruction, input, output}` (with `system` when there is one) for a single exchange, `{messages}`
 * for a conversation (every assistant turn is learned), plus `lang`, `provenance` and `id`.
 */
export function mixRecord(item: MixItem, row: ExampleRow | null): Record<string, unknown> {
  if (item.kind === "demo") {
    return { instruction: item.instruction, input: item.input, output: item.output, lang: item.language, provenance: item.provenance, id: `pair:${item.datasetId}:${item.pairId}:${item.direction}` };
  }
  if (!row) throw new Error(`example ${item.id} was not loaded`);
  const system = row.turns.filter((t) => t.role === "system");
  const dialogue = row.turns.filter((t) => t.role !== "system");
  const [user, answer] = dialogue;
  const tail = { lang: item.language, provenance: item.provenance, id: item.id };
  if (dialogue.length === 2 && user?.role === "user" && answer?.role === "assistant" && system.length <= 1) {
    return { instruction: user.content, input: user.input ?? "", output: answer.content, ...(system[0] ? { system: system[0].content } : {}), ...tail };
  }
  // A chat message has no separate input: Alpaca's input follows the instruction, as the Alpaca prompt shows it.
  const messages = row.turns.map((t: TurnShape) => ({ role: t.role, content: t.input ? `${t.content}\n\n${t.input}` : t.content }));
  return { messages, ...tail };
}
