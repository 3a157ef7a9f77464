// The language an instruction file's name claims. Claims are normalised and compared with the identified
// language by data/languageCodes.ts (baseLanguage, languagesDisagree), the one rule for "same language".
import { basename } from "node:path";
import { languageFromFileName as languageFromParallelName, normaliseLanguage } from "../data/languageCodes.js";

/**
 * The language an instruction file's name claims: the last dot-, dash- or underscore-separated part of
 * its stem when that is a two-letter code (or a three-letter alias of one): `seed_tasks.da.jsonl`,
 * `train-de.csv`, `alpaca_gpt4_zh.json`. Moses-style names (`corpus.de`, `x.de.txt`) as the parallel
 * readers read them. Longer words never count, so `data_set.jsonl` claims nothing.
 */
export function languageFromFileName(path: string): string | null {
  const name = basename(path);
  const stem = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : name;
  const last = stem.split(/[._-]/).pop() ?? "";
  if (/^[a-z]{2,3}$/.test(last)) {
    const language = normaliseLanguage(last);
    if (language !== undefined && language.length === 2) return language;
  }
  return languageFromParallelName(path) ?? null;
}
