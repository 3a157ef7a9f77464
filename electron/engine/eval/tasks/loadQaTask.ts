// Extractive QA items (paper 003 §4.3): SQuAD-format JSON (XQuAD) or an MLQA `datasets` folder, read
// by readQaData (the gold eval.score uses). The passage and question follow an instruction in the
// item's language (xx:xx) or in English (en:xx), and the response is forced to start with the answer
// prefix; short answers, a line break ends them, and the protocol decodes greedily (T≈0).
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { readQaData } from "../suites/readQaData.js";
import type { EvalTask, EvalTaskItem } from "./EvalTask.js";
import { qaPrompt } from "./taskPrompts.js";
import { taskLanguage } from "./readTaskLines.js";
import type { Excluded } from "../SuiteScore.js";

/** What the QA scorer reads from an item's `reference`. */
export interface QaReference {
  question: string | null;
  golds: string[];
  /** file and field of the question. */
  source: string;
}

/** Room for a short answer after the forced prefix, as the paper's extraction looks at 50 characters. */
export const qaMaxTokens = 32;

export function loadQaTask(input: EvalSuiteRequest): EvalTask {
  const items: EvalTaskItem[] = [];
  const excluded: Excluded[] = [];
  const untranslated = new Set<string>();
  const seen = new Map<string, string>();
  for (const file of input.data) {
    const gold = readQaData(file);
    const raw = gold.language ?? input.language;
    if (raw === undefined) throw new PolytuneError("qa-data", "The answers' language is unknown: neither the file's name or metadata nor the suite gives it.", { where: file, hint: "Name the file like xquad.de.json, or give the suite a language." });
    const language = taskLanguage(raw, file, "qa-data");
    // Ids as in the file, prefixed by language so that XQuAD's parallel files (same ids) can share a suite.
    const idOf = (id: string): string => `${language}:${id}`;
    for (const e of gold.excluded) excluded.push({ id: idOf(e.id), reason: e.reason });
    for (const q of gold.questions) {
      const id = idOf(q.id);
      const earlier = seen.get(id);
      if (earlier) throw new PolytuneError("qa-data", `Question "${id}" is in two files: ${earlier} and ${q.where}.`, { where: q.where, hint: "Give each language's file once." });
      seen.set(id, q.where);
      if (q.context === null || q.question === null) {
        excluded.push({ id, reason: `no ${q.context === null ? "passage (context)" : "question"} to prompt with at ${q.where}` });
        continue;
      }
      const built = qaPrompt(language, q.context, q.question, input.crossLingual);
      if (built.instructionLanguage !== language && !input.crossLingual) untranslated.add(language);
      items.push({
        id,
        language,
        prompt: built.prompt,
        kind: "generate",
        responsePrefix: built.responsePrefix,
        maxTokens: qaMaxTokens,
        stop: ["\n"],
        reference: { question: q.question, golds: q.golds, source: q.where } satisfies QaReference,
      });
    }
  }
  const notes = [
    `${items.length} question(s) from ${input.data.join(", ")}, prompted ${input.crossLingual ? "cross-lingually (English instruction and answer prefix, en:xx)" : "monolingually (instruction and answer prefix in the item's language, xx:xx)"} as in paper 003 §4.3; at most ${qaMaxTokens} new tokens, stopped at the first line break, decoded greedily.`,
    "Instructions other than English are Polytune's translations.",
  ];
  if (untranslated.size > 0) notes.push(`No instruction in ${[...untranslated].join(", ")}: those items are prompted in English (en:xx).`);
  if (excluded.length > 0) notes.push(`${excluded.length} question(s) left out for missing or malformed gold answers, passage or question.`);
  return { suite: "qa", items, excluded, notes, greedy: true };
}
