// The task-modifier suite (paper 002 §5.2, Table 1): the Chirkova et al. `modifiers.XX.jsonl` prompts
// (an instruction with a translated modifier appended) and, beside each, `modifiers.XX.types` naming the
// modifier of each line. The two are line-aligned; the `.types` files as released lack a final newline,
// which is why `wc -l` counts one line fewer there (251 records in both).
import { existsSync } from "node:fs";
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { EvalTask, EvalTaskItem } from "./EvalTask.js";
import { assignIds, readOpenPrompts } from "./loadOpenTask.js";
import { modifierKind } from "./modifierFulfilment.js";
import { readTaskLines, taskLanguage } from "./readTaskLines.js";

/** What the modifier scorer reads from an item's `reference`. */
export interface ModifierReference {
  source: string;
  /** The modifier type as the `.types` file names it ("short", "lang_fr", "num_items_6", …). */
  modifier: string;
  /** The language the response should be in: the prompt's, or XX for a `lang_XX` modifier. */
  expectedLanguage: string;
}

const code = "modifiers-data";

/** `modifiers.fr.jsonl` → `modifiers.fr.types`. */
export function typesFileOf(file: string): string {
  return file.replace(/\.jsonl?$/i, "") + ".types";
}

export function loadModifiersTask(input: EvalSuiteRequest): EvalTask {
  const prompts = input.data.flatMap((file) => {
    const typesFile = typesFileOf(file);
    if (!existsSync(typesFile)) throw new PolytuneError(code, "The modifier types file beside the prompts is missing.", { where: typesFile, hint: `Each modifiers.XX.jsonl needs modifiers.XX.types beside it, one modifier type per line (for ${file}).` });
    // Blank lines are not records in either file; both are compared by their records.
    const types = readTaskLines(typesFile, code).filter((l) => l.text.trim() !== "");
    const read = readOpenPrompts(file, input.language);
    if (types.length !== read.length) {
      throw new PolytuneError(code, `${file} has ${read.length} prompt(s) but ${typesFile} has ${types.length} modifier type(s); they must be line-aligned.`, { where: typesFile, hint: "Line i of the .types file names the modifier of prompt i." });
    }
    return read.map((p, i) => {
      const modifier = types[i]!.text.trim();
      const where = `${typesFile}:${types[i]!.line}`;
      if (!/^[a-z][a-z0-9_-]*$/i.test(modifier)) throw new PolytuneError(code, `"${modifier}" is not a modifier type name.`, { where, hint: 'One type per line, e.g. "short", "lang_fr", "num_items_6".' });
      const lang = /^lang_(.+)$/.exec(modifier);
      const expectedLanguage = lang ? taskLanguage(lang[1]!, where, code) : p.language;
      return { ...p, modifier, expectedLanguage, typesWhere: where };
    });
  });
  const items: EvalTaskItem[] = assignIds(prompts).map((p) => ({
    id: p.id,
    language: p.language,
    prompt: p.prompt,
    kind: "generate",
    reference: { source: `${p.file}:${p.line}`, modifier: p.modifier, expectedLanguage: p.expectedLanguage } satisfies ModifierReference,
  }));
  const counts = new Map<string, number>();
  for (const p of prompts) counts.set(p.modifier, (counts.get(p.modifier) ?? 0) + 1);
  const ruled = [...counts.keys()].filter((m) => modifierKind(m) === "rule");
  return {
    suite: "modifiers",
    items,
    excluded: [],
    notes: [
      `${items.length} prompt(s) with task modifiers from ${input.data.join(", ")}: ${[...counts].map(([m, n]) => `${m} ${n}`).join(", ")}.`,
      `Checked by rule: ${ruled.join(", ") || "none"}; the rest by the judge (missing without one). Items are grouped by the prompt's language; a lang_XX response is expected in XX.`,
    ],
    greedy: false,
  };
}
