// The evaluation job's entry to a suite: reads its files in their standard format, checks them (a
// PolytuneError with file:line or field), builds the papers' prompts, and keeps the languages asked for
// and at most `limit` items per language. Item ids are `language:…`, stable across loads of the same files.
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { normaliseLanguage } from "../../data/languageCodes.js";
import type { EvalTask } from "./EvalTask.js";
import { loadChoiceTask } from "./loadChoiceTask.js";
import { loadModifiersTask } from "./loadModifiersTask.js";
import { loadOpenTask } from "./loadOpenTask.js";
import { loadQaTask } from "./loadQaTask.js";
import { loadSimplificationTask } from "./loadSimplificationTask.js";

function loadAll(input: EvalSuiteRequest): EvalTask {
  switch (input.suite) {
    case "open":
      return loadOpenTask(input);
    case "modifiers":
      return loadModifiersTask(input);
    case "qa":
      return loadQaTask(input);
    case "simplification":
      return loadSimplificationTask(input);
    case "nli":
    case "mcq":
      return loadChoiceTask(input);
  }
}

export function loadEvalTask(input: EvalSuiteRequest, options: { languages?: readonly string[]; limit?: number } = {}): EvalTask {
  const task = loadAll(input);
  let { items, excluded } = task;
  const notes = [...task.notes];
  if (options.languages) {
    const wanted = new Set(
      options.languages.map((l) => {
        const code = normaliseLanguage(l);
        if (code === undefined) throw new PolytuneError("invalid-language", `"${l}" names no known language.`, { where: "languages", hint: 'Use codes such as "fr" or "pt-BR".' });
        return code;
      }),
    );
    const before = items.length;
    items = items.filter((i) => wanted.has(i.language));
    // Excluded ids carry their language before the first ":".
    excluded = excluded.filter((e) => wanted.has(e.id.split(":")[0]!));
    if (items.length < before) notes.push(`Kept the ${items.length} of ${before} item(s) in ${[...wanted].join(", ")}.`);
  }
  if (options.limit !== undefined) {
    const limit = options.limit;
    const counts = new Map<string, number>();
    const before = items.length;
    items = items.filter((i) => {
      const n = (counts.get(i.language) ?? 0) + 1;
      counts.set(i.language, n);
      return n <= limit;
    });
    if (items.length < before) notes.push(`At most ${limit} item(s) per language (the first in file order): ${items.length} of ${before}.`);
  }
  return { ...task, items, excluded, notes };
}
