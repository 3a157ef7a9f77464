// NLI and multiple-choice items (paper 003 §4.4–4.5) from the gold eval.score reads (readChoiceGold):
// XNLI ranked by the log-likelihood of lm-evaluation-harness's per-language choices after its context, X-CSQA
// answered with a letter (a short greedy answer read by parseChoiceLetter).
import { basename } from "node:path";
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { Excluded } from "../SuiteScore.js";
import { readChoiceGold } from "../suites/scoreChoiceSuite.js";
import type { EvalTask, EvalTaskItem } from "./EvalTask.js";
import { languageOfFileName, taskLanguage } from "./readTaskLines.js";
import { mcqPrompt, xnliRanking } from "./taskPrompts.js";

/** What the choice scorer reads from an item's `reference`. */
export interface ChoiceReference {
  gold: string;
  choices: string[];
  where: string;
}

export const mcqMaxTokens = 8;

/** `xnli_de_xglue/dev.txt` → de (the folder names the language when the file does not). */
function languageOfPath(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  for (const part of [basename(file), ...parts.reverse()]) {
    const fromName = languageOfFileName(part);
    if (fromName) return fromName;
    const m = /(?:^|[._-])(?:xnli|xcsqa|x-csqa)[._-]([a-z]{2})(?:[._-]|$)/i.exec(part);
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}

export function loadChoiceTask(input: EvalSuiteRequest): EvalTask {
  const suite = input.suite as "nli" | "mcq";
  const items: EvalTaskItem[] = [];
  const excluded: Excluded[] = [];
  const noWords = new Set<string>();
  const seen = new Set<string>();
  for (const file of input.data) {
    const fallback = input.language ?? languageOfPath(file);
    const gold = readChoiceGold(suite, file, fallback);
    const languageOf = (raw: string | null, where: string): string => {
      if (raw === null) throw new PolytuneError("gold-format", "The item's language is unknown.", { where, hint: "Give the suite a language, or a language field in each record." });
      return taskLanguage(raw, where, "gold-format");
    };
    for (const e of gold.excluded) excluded.push({ id: `${fallback ?? "?"}:${e.id}`, reason: e.reason });
    for (const g of gold.items) {
      const language = languageOf(g.language, g.where);
      const id = `${language}:${g.id}`;
      if (seen.has(id)) throw new PolytuneError("gold-duplicate-id", `Two items get the id "${id}".`, { where: g.where, hint: "Give each language's file once." });
      seen.add(id);
      const reference: ChoiceReference = { gold: g.gold, choices: [...g.choices], where: g.where };
      if (suite === "nli") {
        if (g.premise === undefined || g.hypothesis === undefined) {
          excluded.push({ id, reason: `${g.where}: no premise and hypothesis to rank` });
          continue;
        }
        const ranking = xnliRanking(input.crossLingual ? "en" : language, g.premise, g.hypothesis);
        if (!ranking) {
          noWords.add(language);
          excluded.push({ id, reason: `${g.where}: lm-evaluation-harness has no XNLI template words for "${language}"` });
          continue;
        }
        items.push({ id, language, prompt: `${g.premise}\n${g.hypothesis}`, kind: "rank", context: ranking.context, continuations: ranking.continuations, reference });
      } else {
        if (g.question === undefined || g.choiceTexts === undefined) {
          excluded.push({ id, reason: `${g.where}: no question stem and choice texts to prompt with` });
          continue;
        }
        items.push({ id, language, prompt: mcqPrompt(g.question, g.choices, g.choiceTexts), kind: "generate", maxTokens: mcqMaxTokens, reference });
      }
    }
  }
  const notes =
    suite === "nli"
      ? [
          `${items.length} XNLI pair(s) from ${input.data.join(", ")}, by rank classification as lm-evaluation-harness's xnli_XX tasks (zero-shot): context "premise, QUESTION_WORD?", continuation " LABEL, hypothesis" per label (the harness's target_delimiter " " first) with its ${input.crossLingual ? "English" : "per-language"} words; the label whose continuation has the highest log-likelihood wins.`,
        ]
      : [`${items.length} multiple-choice question(s) from ${input.data.join(", ")}: the question and lettered choices with an English request for the letter; at most ${mcqMaxTokens} tokens, decoded greedily, read by parseChoiceLetter.`];
  if (noWords.size > 0) notes.push(`No XNLI template words for ${[...noWords].join(", ")}: those items are left out.`);
  if (excluded.length > 0) notes.push(`${excluded.length} item(s) left out (missing or malformed gold, or nothing to prompt with).`);
  return { suite, items, excluded, notes, greedy: true };
}
