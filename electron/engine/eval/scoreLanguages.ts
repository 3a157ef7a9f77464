// Per-language scoring: does the model (and the model with an adapter) give the expected answer to
// each prompt of a data set, and answer in the prompt's language, language by language? Exact match
// and language correctness (paper 002) on greedy decoding.
import type { LanguageScores, PromptFormat } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { loadInstructionData } from "../data/loadInstructionData.js";
import type { GreedyRunner } from "../infer/GreedyRunner.js";
import { loadLanguageIdentifier } from "../langid/loadLanguageIdentifier.js";
import type { GpuChoice } from "../llamacpp/llamaRuntime.js";

export interface ScoreLanguagesOptions {
  modelPath: string;
  data: string;
  adapterPath?: string;
  format: "raw" | PromptFormat;
  maxTokens: number;
  gpu: GpuChoice;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decodes every example's prompt greedily, without and with the adapter, and counts per language the
 * exact answers and the answers in the prompt's language (an empty answer has no language).
 */
export async function scoreLanguages(runner: GreedyRunner, options: ScoreLanguagesOptions): Promise<LanguageScores> {
  const { examples } = loadInstructionData(options.data);
  const items = examples.map((example) => {
    const user = example.turns.find((t) => t.role === "user");
    if (!user) throw new PolytuneError("data-format", `Line ${example.source.line} has no user turn to prompt with.`, { where: `${example.source.file}:${example.source.line}` });
    return { language: example.lang ?? "?", prompt: user.content, expected: (example.turns.at(-1)?.content ?? "").trim() };
  });
  const passes = options.adapterPath ? 2 : 1;
  let done = 0;
  const decode = async (adapterPath: string | undefined, tag: string): Promise<string[]> => {
    const answers: string[] = [];
    // One pass per adapter setting: switching adapters reloads the model.
    for (const [i, item] of items.entries()) {
      const result = await runner.complete({
        requestId: `eval-${tag}${i}`,
        modelPath: options.modelPath,
        prompt: item.prompt,
        maxTokens: options.maxTokens,
        repeatPenalty: 1,
        gpu: options.gpu,
        format: options.format,
        ...(adapterPath ? { adapterPath } : {}),
      });
      answers.push(result.text.trim());
      options.onProgress?.(++done, items.length * passes);
    }
    return answers;
  };
  const base = await decode(undefined, "b");
  const tuned = options.adapterPath ? await decode(options.adapterPath, "t") : null;

  const identifier = await loadLanguageIdentifier();
  const inLanguage = (answer: string | undefined, language: string): boolean => answer !== undefined && identifier.identify(answer).language === language;
  const languages = new Map<string, LanguageScores["languages"][number]>();
  for (const [i, item] of items.entries()) {
    let entry = languages.get(item.language);
    if (!entry) {
      entry = { language: item.language, examples: 0, base: { exact: 0, languageCorrect: 0 }, tuned: tuned ? { exact: 0, languageCorrect: 0 } : null, sample: { prompt: item.prompt, expected: item.expected, base: base[i] ?? "", tuned: tuned?.[i] ?? null } };
      languages.set(item.language, entry);
    }
    entry.examples++;
    if (base[i] === item.expected) entry.base.exact++;
    if (inLanguage(base[i], item.language)) entry.base.languageCorrect++;
    if (entry.tuned && tuned?.[i] === item.expected) entry.tuned.exact++;
    if (entry.tuned && inLanguage(tuned?.[i], item.language)) entry.tuned.languageCorrect++;
  }
  return { examples: items.length, languages: [...languages.values()] };
}
