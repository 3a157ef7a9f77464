import { closeSync, existsSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { z } from "zod";
import type { PromptFormat } from "../../shared/contract.js";
import type { Provenance, TurnShape } from "../../shared/datasetContract.js";
import type { Mix, MixBuildResult, MixPreview, MixRecipe, MixSample, MixSeriesInputSchema, RunMix } from "../../shared/mixContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { DatasetStore } from "../datasets/DatasetStore.js";
import { buildMix, type MixItem, type MixPlan, type MixSourceData } from "./buildMix.js";
import { mixFingerprint } from "./mixFingerprint.js";
import { mixRecord } from "./mixJsonl.js";
import { mixSeries } from "./mixSeries.js";
import type { MixStore } from "./MixStore.js";

/**
 * Counts tokens as training will see them. The engine's root supplies it (training's own encoder over
 * node-llama-cpp); `cacheKey` names model and prompt format, under which counts are kept per example.
 */
export interface MixTokenizer {
  open(model: string, format: PromptFormat): Promise<{ model: string; cacheKey: string; count(conversations: TurnShape[][]): number[] }>;
}

const sampleCount = 10;
/** Datasets' rows kept between previews (a user typing a recipe asks again and again). */
const cachedSources = 8;

/** Recipes into counts, previews, stored mixes and training files, over the datasets as stored. */
export class MixService {
  private readonly sourceCache = new Map<string, MixSourceData>();

  constructor(
    private readonly datasets: DatasetStore,
    private readonly store: MixStore,
    /** Where a mix's training file goes when no path is given. */
    private readonly mixesDir: string,
    private readonly tokenizer?: MixTokenizer,
  ) {}

  /** The rows of a recipe's datasets as they are now (kept while their fingerprint holds). */
  private sources(recipe: MixRecipe): MixSourceData[] {
    return recipe.sources.map((s, i) => {
      let dataset;
      try {
        dataset = this.datasets.get(s.dataset);
      } catch (error) {
        if (error instanceof PolytuneError && error.code === "dataset-not-found") {
          throw new PolytuneError("dataset-not-found", `The recipe's dataset ${s.dataset} is not in the library.`, { where: `sources[${i}]`, hint: "Import it again, or take it out of the recipe." });
        }
        throw error;
      }
      const key = `${dataset.id}:${dataset.fingerprint}`;
      const cached = this.sourceCache.get(key);
      if (cached) return cached;
      const data: MixSourceData = {
        id: dataset.id,
        name: dataset.name,
        kind: dataset.kind,
        fingerprint: dataset.fingerprint,
        candidates: dataset.kind === "instructions" ? this.datasets.candidates(dataset.id) : [],
        pairs: dataset.kind === "parallel" ? this.datasets.pairs(dataset.id) : [],
      };
      this.sourceCache.set(key, data);
      while (this.sourceCache.size > cachedSources) this.sourceCache.delete(this.sourceCache.keys().next().value!);
      return data;
    });
  }

  plan(recipe: MixRecipe): MixPlan {
    return buildMix(recipe, this.sources(recipe));
  }

  async preview(recipe: MixRecipe, model?: string, format: PromptFormat = "alpaca"): Promise<MixPreview> {
    const plan = this.plan(recipe);
    // Spread over the mix, so a sample shows its languages rather than its first few rows.
    const picks = plan.items.length <= sampleCount ? plan.items : Array.from({ length: sampleCount }, (_, i) => plan.items[Math.floor((i * plan.items.length) / sampleCount)]!);
    const rows = this.rowsOf(picks);
    const samples: MixSample[] = picks.map((item) => ({
      id: item.kind === "example" ? item.id : null,
      dataset: item.datasetId,
      language: item.language,
      provenance: item.provenance,
      turns: item.kind === "example" ? rows.get(item.id)!.turns : demoTurns(item),
    }));
    return {
      counts: plan.counts,
      tokens: model !== undefined ? await this.tokens(plan.items, model, format) : null,
      available: plan.available,
      lowConfidenceExcluded: plan.lowConfidenceExcluded,
      duplicatesDropped: plan.duplicatesDropped,
      samples,
      warnings: plan.warnings,
    };
  }

  /** Tokens per language and provenance; stored examples' counts are cached per model and format. */
  private async tokens(items: readonly MixItem[], model: string, format: PromptFormat): Promise<NonNullable<MixPreview["tokens"]>> {
    if (!this.tokenizer) throw new PolytuneError("mix-tokens-unavailable", "Token counts are not available here.");
    const t = await this.tokenizer.open(model, format);
    const ids = items.flatMap((i) => (i.kind === "example" ? [i.id] : []));
    const known = this.datasets.tokenCounts(t.cacheKey, ids);
    const missing = ids.filter((id) => !known.has(id));
    for (let i = 0; i < missing.length; i += 1000) {
      const chunk = this.datasets.examplesByIds(missing.slice(i, i + 1000));
      const counted = t.count(chunk.map((r) => r.turns));
      const fresh = new Map(chunk.map((r, k) => [r.id, counted[k]!]));
      this.datasets.saveTokenCounts(t.cacheKey, fresh);
      for (const [id, n] of fresh) known.set(id, n);
    }
    const demos = items.filter((i): i is Extract<MixItem, { kind: "demo" }> => i.kind === "demo");
    const demoTokens = t.count(demos.map(demoTurns));
    const byLanguage = new Map<string, number>();
    const byProvenance = new Map<Provenance, number>();
    let d = 0;
    let total = 0;
    for (const item of items) {
      const n = item.kind === "example" ? known.get(item.id)! : demoTokens[d++]!;
      total += n;
      byLanguage.set(item.language, (byLanguage.get(item.language) ?? 0) + n);
      byProvenance.set(item.provenance, (byProvenance.get(item.provenance) ?? 0) + n);
    }
    return {
      model: t.model,
      total,
      languages: [...byLanguage].sort((a, b) => b[1] - a[1]).map(([language, tokens]) => ({ language, tokens })),
      provenance: [...byProvenance].sort((a, b) => b[1] - a[1]).map(([provenance, tokens]) => ({ provenance, tokens })),
    };
  }

  private rowsOf(items: readonly MixItem[]) {
    const ids = items.flatMap((i) => (i.kind === "example" ? [i.id] : []));
    return new Map(this.datasets.examplesByIds(ids).map((r) => [r.id, r]));
  }

  /** Saves a recipe once it builds (a recipe that cannot be built is refused with the reason). */
  save(recipe: MixRecipe): Mix {
    return this.store.save(recipe, this.plan(recipe).counts);
  }

  /** A whole series; each recipe is built, so a rung that cannot be is named before anything is saved. */
  series(input: z.output<typeof MixSeriesInputSchema>): { recipes: MixRecipe[]; mixes: Mix[] } {
    const recipes = mixSeries(input);
    const counts = recipes.map((r) => {
      try {
        return this.plan(r).counts;
      } catch (error) {
        if (!(error instanceof PolytuneError)) throw error;
        throw new PolytuneError(error.code, `${r.name ?? "A recipe of the series"}: ${error.message}`, { ...(error.where ? { where: error.where } : {}), ...(error.hint ? { hint: error.hint } : {}) });
      }
    });
    return { recipes, mixes: input.save ? recipes.map((r, i) => this.store.save(r, counts[i]!)) : [] };
  }

  list(): Mix[] {
    return this.store.list();
  }

  get(ref: string): Mix {
    return this.store.get(ref);
  }

  remove(ref: string): boolean {
    return this.store.remove(ref);
  }

  /** The file a mix is written to when no path is given: one per mix and fingerprint, in the data folder. */
  defaultPath(mix: Mix): string {
    return join(this.mixesDir, `${mix.id}-${mix.fingerprint}.jsonl`);
  }

  /**
   * Writes a mix as training-ready JSONL (to a temporary file renamed into place, so a reader never sees
   * half a mix). Rebuilding from the recipe refuses datasets that changed since the mix was saved.
   * A path the user names is never a file some dataset was imported from, and an existing one is
   * replaced only when `overwrite` says so; the default path is the mix's own file and is rewritten.
   */
  build(ref: string, out?: string, options: { overwrite?: boolean } = {}): MixBuildResult {
    const mix = this.store.get(ref);
    if (mixFingerprint(mix.recipe) !== mix.fingerprint) {
      throw new PolytuneError("mix-unreadable", `The stored recipe of mix ${mix.id} does not match its fingerprint.`, { where: `mix ${mix.id}`, hint: "Remove the mix and save the recipe again." });
    }
    const plan = this.plan(mix.recipe);
    const path = resolve(out ?? this.defaultPath(mix));
    if (out !== undefined) this.checkOut(path, options.overwrite === true);
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.partial-${process.pid}`;
    const fd = openSync(partial, "w");
    try {
      for (let i = 0; i < plan.items.length; i += 1000) {
        const chunk = plan.items.slice(i, i + 1000);
        const rows = this.rowsOf(chunk);
        const text = chunk.map((item) => JSON.stringify(mixRecord(item, item.kind === "example" ? rows.get(item.id)! : null))).join("\n");
        writeSync(fd, `${text}\n`);
      }
    } catch (error) {
      closeSync(fd);
      rmSync(partial, { force: true });
      throw error;
    }
    closeSync(fd);
    renameSync(partial, path);
    return { mix, path, examples: plan.items.length, bytes: statSync(path).size };
  }

  /** Refuses an output path that would destroy data: a dataset's source file always, any other existing file unless `overwrite`. */
  private checkOut(path: string, overwrite: boolean): void {
    // Compared through symbolic links, so a link to a dataset's file is that file.
    const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
    const target = real(path);
    for (const dataset of this.datasets.list()) {
      const file = dataset.files.find((f) => real(f.path) === target);
      if (file) {
        throw new PolytuneError("mix-out-is-dataset-file", `${path} is a file the dataset "${dataset.name}" (${dataset.id}) was imported from; a mix is never written over it.`, {
          where: path,
          hint: "Write the mix to another file (--out), or leave --out out to write it in the data folder.",
        });
      }
    }
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      throw new PolytuneError("mix-out-is-folder", `${path} is a folder; the mix is written to a file.`, { where: path, hint: "Name a .jsonl file, for example " + join(path, "mix.jsonl") + "." });
    }
    if (!overwrite) {
      throw new PolytuneError("mix-out-exists", `${path} already exists; the mix was not written over it.`, {
        where: path,
        hint: "Choose another file, or replace it: `polytune mix build … --force` (overwrite: true).",
      });
    }
  }

  /** What a run records of its mix. */
  runMix(mix: Mix): RunMix {
    return { id: mix.id, name: mix.name, fingerprint: mix.fingerprint, recipe: mix.recipe, counts: mix.counts };
  }
}

/** A translation demonstration as the turns the trainer sees: Alpaca's instruction with its input. */
function demoTurns(item: Extract<MixItem, { kind: "demo" }>): TurnShape[] {
  return [
    { role: "user", content: item.instruction, input: item.input },
    { role: "assistant", content: item.output },
  ];
}
