import { type Command, Option } from "commander";
import { existsSync, readFileSync, statSync } from "node:fs";
import { promptFormats, type PromptFormat } from "../shared/contract.js";
import { mixSeriesDefaults, MixRecipeSchema, type Mix, type MixCounts, type MixRecipe, type MixSeriesInput } from "../shared/mixContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatCount } from "../shared/formatQuantities.js";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { intOption, numberOption } from "./parseOptionNumber.js";

export interface MixCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

/** A recipe file: JSON checked against the recipe schema, each wrong field named with the file. */
export function readRecipeFile(file: string): MixRecipe {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PolytuneError("mix-recipe-file", `The recipe file cannot be read: ${(error as Error).message}.`, { where: file, hint: "A recipe is one JSON object: {version: 1, sources, filters, seed, strategy}." });
  }
  const parsed = MixRecipeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "recipe"}: ${i.message}`).join("; ");
    throw new PolytuneError("mix-recipe-invalid", `The recipe does not parse: ${issues}.`, { where: file, hint: "See docs/decisions/0024-mix-recipes.md for the recipe's fields." });
  }
  return parsed.data;
}

/** Whether a `--mix` value names a recipe file rather than a saved mix. */
function isRecipeFile(value: string): boolean {
  return /\.json$/i.test(value) && existsSync(value) && statSync(value).isFile();
}

/** `--mix ID|NAME|recipe.json`: a recipe file is saved as a mix first (through the contract), its id returned. */
export async function resolveMixArgument(engine: PolytuneEngine, value: string): Promise<string> {
  if (!isRecipeFile(value)) return value;
  return (await engine.call("mixes.save", { recipe: readRecipeFile(value) })).id;
}

const pct = (n: number, total: number): string => (total > 0 ? `${((100 * n) / total).toFixed(1)}%` : "");

function countLines(counts: MixCounts, tokens?: Map<string, number>): string[] {
  const width = Math.max(8, ...counts.languages.map((l) => l.language.length));
  return [
    ...counts.languages.map((l) => `  ${l.language.padEnd(width)} ${String(l.examples).padStart(8)}  ${pct(l.examples, counts.total).padStart(6)}${tokens?.has(l.language) ? `  ${formatCount(tokens.get(l.language)!)} tokens` : ""}`),
    `  ${"total".padEnd(width)} ${String(counts.total).padStart(8)}`,
    `  provenance: ${counts.provenance.map((p) => `${p.provenance} ${p.examples}`).join(", ")}`,
    ...(counts.directions && counts.directions.length > 0 ? [`  translation demonstrations: ${counts.directions.map((d) => `${d.direction} ${d.examples}`).join(", ")}`] : []),
  ];
}

function mixLine(m: Mix): string {
  const languages = m.counts.languages.map((l) => `${l.language} ${l.examples}`).join(", ");
  return `${m.id}  ${m.name}  ${m.recipe.strategy.kind}  ${m.counts.total} examples (${languages})`;
}

const list = (value: string): string[] => value.split(",").map((t) => t.trim()).filter((t) => t !== "");

export function registerMixCommands(program: Command, deps: MixCliDeps): void {
  const out = (value: unknown, text: () => string): void => {
    process.stdout.write(deps.json() ? `${JSON.stringify(value)}\n` : `${text()}\n`);
  };
  const mix = program.command("mix").description("data mixes: recipes (Mono, Multi-i, budgets, ratios, temperature, DT/MT, CrossAlpaca), previews, training files");

  mix
    .command("build")
    .argument("<recipe.json>", "a recipe file")
    .option("--out <file>", "where to write the JSONL (default: in the data folder); an existing file is refused unless --force")
    .option("--force", "replace an existing --out file (never a file a dataset was imported from)")
    .description("save a recipe as a mix and write it as training-ready JSONL; prints the counts per language")
    .action(async (file: string, o: { out?: string; force?: boolean }) => {
      const recipe = readRecipeFile(file);
      await deps.withEngine(async (engine) => {
        const saved = await engine.call("mixes.save", { recipe });
        const built = await engine.call("mixes.build", { mix: saved.id, ...(o.out ? { out: o.out } : {}), overwrite: o.force ?? false });
        out(built, () => [`Mix ${built.mix.id} (${built.mix.name}): ${built.examples} examples written to ${built.path} (${formatBytes(built.bytes)}).`, ...countLines(built.mix.counts), `Train on it: polytune train --mix ${built.mix.id} --model …`].join("\n"));
      });
    });

  mix
    .command("preview")
    .argument("<recipe.json>", "a recipe file")
    .option("--model <model>", "count tokens with this model's tokenizer (id, name or path)")
    .addOption(new Option("--format <f>", "prompt format the tokens are counted in").choices(promptFormats).default("alpaca"))
    .description("what a recipe would hold, per language, provenance and source, without saving it")
    .action(async (file: string, o: { model?: string; format: PromptFormat }) => {
      const recipe = readRecipeFile(file);
      await deps.withEngine(async (engine) => {
        const p = await engine.call("mixes.preview", { recipe, format: o.format, ...(o.model ? { model: o.model } : {}) });
        const tokens = p.tokens ? new Map(p.tokens.languages.map((l) => [l.language, l.tokens])) : undefined;
        out(p, () =>
          [
            `${recipe.name ?? "Recipe"}: ${p.counts.total} examples${p.tokens ? `, ${formatCount(p.tokens.total)} tokens (${p.tokens.model}, ${o.format})` : ""}`,
            ...countLines(p.counts, tokens),
            `  available after the filters: ${p.available.map((a) => `${a.language} ${a.examples}${a.lowConfidence ? ` (+${a.lowConfidence} low-confidence)` : ""}`).join(", ")}`,
            ...(p.lowConfidenceExcluded ? [`  ${p.lowConfidenceExcluded} examples left out under the confidence threshold`] : []),
            ...p.warnings.map((w) => `  ! ${w}`),
            "samples:",
            ...p.samples.map((s) => `  [${s.language}, ${s.provenance}] ${(s.turns.find((t) => t.role === "user")?.content ?? "").replace(/\s+/g, " ").slice(0, 100)}`),
          ].join("\n"),
        );
      });
    });

  mix
    .command("ladder")
    .description("a whole series in one action: Mono, Multi-2 … Multi-k (003 Table 3), or the fixed-budget ablations (003 App. H)")
    .requiredOption("--dataset <ids>", "the datasets to draw from, comma-separated", list)
    .requiredOption("--languages <codes>", "the added languages, in order, comma-separated", list)
    .requiredOption("--total <n>", "examples in every mix", intOption("--total"))
    .addOption(new Option("--kind <kind>", "which series").choices(["multi-ladder", "budget-over-languages", "growing-budget"]).default("multi-ladder"))
    .option("--per-language <n>", "multi-ladder: base examples each added language replaces", intOption("--per-language"))
    .option("--budget <n>", "budget-over-languages: the non-base examples, spread over the first 1 … k languages", intOption("--budget"))
    .option("--budgets <list>", "growing-budget: the non-base counts, comma-separated", (v: string) => list(v).map((x) => intOption("--budgets")(x)))
    .option("--base <code>", "the base language", mixSeriesDefaults.base)
    .option("--seed <n>", "seed of the sampling", intOption("--seed"), mixSeriesDefaults.seed)
    .option("--min-confidence <x>", "language-label confidence needed", numberOption("--min-confidence"), mixSeriesDefaults.filters.minConfidence)
    .option("--include-low-confidence", "keep examples under the confidence threshold")
    .option("--prefix <text>", "put this before every mix's name")
    .option("--save", "save the mixes (otherwise only shows them)")
    .action(async (o: { dataset: string[]; languages: string[]; total: number; kind: MixSeriesInput["kind"]; perLanguage?: number; budget?: number; budgets?: number[]; base: string; seed: number; minConfidence: number; includeLowConfidence?: boolean; prefix?: string; save?: boolean }) => {
      await deps.withEngine(async (engine) => {
        const datasets = await engine.call("data.list", {});
        const sources = o.dataset.map((id) => {
          const d = datasets.find((x) => x.id === id || x.name === id);
          if (!d) throw new PolytuneError("dataset-not-found", `No dataset "${id}".`, { where: "--dataset", hint: "List the datasets with `polytune data list`." });
          return { dataset: d.id, fingerprint: d.fingerprint };
        });
        const common = { sources, total: o.total, base: o.base, seed: o.seed, languages: o.languages, filters: { minConfidence: o.minConfidence, includeLowConfidence: o.includeLowConfidence ?? false }, save: o.save ?? false, ...(o.prefix ? { prefix: o.prefix } : {}) };
        const need = (value: unknown, flag: string) => {
          if (value === undefined) throw new PolytuneError("invalid-input", `A ${o.kind} series needs ${flag}.`, { where: flag });
        };
        let input: MixSeriesInput;
        if (o.kind === "multi-ladder") {
          need(o.perLanguage, "--per-language");
          input = { kind: o.kind, ...common, perLanguage: o.perLanguage! };
        } else if (o.kind === "budget-over-languages") {
          need(o.budget, "--budget");
          input = { kind: o.kind, ...common, budget: o.budget! };
        } else {
          need(o.budgets, "--budgets");
          input = { kind: o.kind, ...common, budgets: o.budgets! };
        }
        const result = await engine.call("mixes.series", input);
        out(result, () =>
          [
            ...result.recipes.map((r, i) => {
              const saved = result.mixes[i];
              return `${saved ? `${saved.id}  ` : ""}${r.name ?? ""}${saved ? `  ${saved.counts.languages.map((l) => `${l.language} ${l.examples}`).join(", ")}` : ""}`;
            }),
            result.mixes.length ? `Saved ${result.mixes.length} mixes.` : "Not saved (add --save).",
          ].join("\n"),
        );
      });
    });

  mix
    .command("list")
    .description("the saved mixes")
    .action(async () => {
      await deps.withEngine(async (engine) => {
        const mixes = await engine.call("mixes.list", {});
        out(mixes, () => (mixes.length ? mixes.map(mixLine).join("\n") : "No mixes yet. Save one with `polytune mix build recipe.json` or `polytune mix ladder … --save`."));
      });
    });

  mix
    .command("show")
    .argument("<mix>", "id or name")
    .description("a saved mix: its recipe and counts")
    .action(async (ref: string) => {
      await deps.withEngine(async (engine) => {
        const m = await engine.call("mixes.get", { mix: ref });
        out(m, () => [`${m.id}  ${m.name}  (fingerprint ${m.fingerprint}, saved ${m.createdAt})`, ...countLines(m.counts), "recipe:", JSON.stringify(m.recipe, null, 2)].join("\n"));
      });
    });

  mix
    .command("rm")
    .argument("<mix>", "id or name")
    .description("remove a saved mix (runs that trained on it keep their copy of the recipe)")
    .action(async (ref: string) => {
      await deps.withEngine(async (engine) => {
        const result = await engine.call("mixes.remove", { mix: ref });
        out(result, () => (result.removed ? "Removed." : "Nothing removed."));
      });
    });
}
