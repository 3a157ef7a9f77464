import { defaultLearningRates, type ExperimentSpecParsed } from "../../shared/experimentContract.js";
import { MixRecipeSchema, mixRecipeVersion, type Mix, type MixRecipe } from "../../shared/mixContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { TrainConfigSchema, type TrainConfig, type TrainMethod } from "../../shared/trainContract.js";
import { formatLearningRate } from "../../shared/trainSettings.js";
import { mixSeries } from "../mixes/mixSeries.js";

/** A mix the experiment trains on: a saved one, or a study's recipe to build and save at creation. */
export type PlannedMix = { saved: Mix; name: string } | { recipe: MixRecipe; name: string };

export interface PlannedItem {
  /** Index into the plan's mixes. */
  mix: number;
  configuration: string;
  label: string;
  /** The configuration without its mix ("lora r8 · 200 steps"), to name the item again after the mix is saved. */
  variant: string;
  method: TrainMethod;
  lr: number;
  /** The run's settings (the mix as `mix`, filled in once the mix is saved). */
  settings: TrainConfig;
}

export interface ExperimentPlanDraft {
  mixes: PlannedMix[];
  items: PlannedItem[];
  warnings: string[];
}

/**
 * An item's configuration, label and run name. A study's mix may be saved under another name than its
 * recipe's ("X (2)" when X is taken), so items are named again from the saved mix at creation.
 */
export function itemNames(experiment: string, mix: string, variant: string, lr: number): { configuration: string; label: string; runName: string } {
  const configuration = `${mix} · ${variant}`;
  const label = `${configuration} · lr ${formatLearningRate(lr)}`;
  return { configuration, label, runName: `${experiment} · ${label}` };
}

/**
 * The recipes a study builds: 003's ladder (Mono, Multi-2 … Multi-k; only `rungs` when given, 1 = Mono)
 * or 004's CrossAlpaca study (per direction set and count; count 0 = the instruction examples alone,
 * once). Named `<experiment> · …` so the mixes list tells which experiment made them.
 */
export function studyRecipes(spec: ExperimentSpecParsed): MixRecipe[] {
  const m = spec.mixes;
  const prefix = `${spec.name} ·`;
  if (m.kind === "ladder") {
    const ladder = mixSeries({ kind: "multi-ladder", sources: m.sources, filters: m.filters, seed: m.seed, total: m.total, base: m.base, perLanguage: m.perLanguage, languages: m.languages, prefix, save: false });
    if (!m.rungs) return ladder;
    return [...new Set(m.rungs)].map((rung, i) => {
      const recipe = ladder[rung - 1];
      if (!recipe) {
        throw new PolytuneError("experiment-rung", `Rung ${rung} does not exist: ${m.languages.length} added language${m.languages.length === 1 ? "" : "s"} make rungs 1 (Mono) to ${ladder.length} (Multi-${ladder.length}).`, {
          where: `mixes.rungs[${i}]`,
          hint: `Give rungs between 1 and ${ladder.length}, or add languages.`,
        });
      }
      return recipe;
    });
  }
  if (m.kind === "crossalpaca") {
    const recipes: MixRecipe[] = [];
    const seen = new Set<string>();
    for (const directions of m.directions) {
      for (const count of m.perDirection) {
        const name = count === 0 ? `${prefix} CrossAlpaca without demonstrations` : `${prefix} CrossAlpaca ${directions.join("+")} ×${count}`;
        if (seen.has(name)) continue;
        seen.add(name);
        recipes.push(
          MixRecipeSchema.parse({
            version: mixRecipeVersion,
            name,
            sources: m.sources,
            filters: m.filters,
            seed: m.seed,
            strategy: {
              kind: "crossalpaca",
              perDirection: count,
              directions,
              pivot: m.pivot,
              templateLanguage: m.templateLanguage,
              ...(m.instructions !== undefined ? { instructions: m.instructions } : {}),
              ...(m.languages !== undefined ? { languages: m.languages } : {}),
            },
          }),
        );
      }
    }
    return recipes;
  }
  return [];
}

/**
 * Expands a spec: mixes (saved ones looked up with `findMix`, a study's recipes) × method × rank × steps
 * are the configurations, each trained at every learning rate of its method (the method's default sweep
 * when the grid gives none). Every item's settings are checked with the run settings' own schema here,
 * so a bad combination is refused before anything is created. Creates nothing.
 */
export function planExperiment(spec: ExperimentSpecParsed, findMix: (ref: string) => Mix, modelRef: string = spec.model): ExperimentPlanDraft {
  const warnings: string[] = [];
  const mixes: PlannedMix[] =
    spec.mixes.kind === "saved"
      ? spec.mixes.mixes.map((ref, i) => {
          try {
            const saved = findMix(ref);
            return { saved, name: saved.name };
          } catch (error) {
            if (!(error instanceof PolytuneError)) throw error;
            throw new PolytuneError(error.code, error.message, { where: `mixes.mixes[${i}]`, hint: error.hint ?? "Give a saved mix's id or name (`polytune mix list`)." });
          }
        })
      : studyRecipes(spec).map((recipe) => ({ recipe, name: recipe.name ?? "mix" }));
  const duplicate = mixes.find((m, i) => "saved" in m && mixes.findIndex((o) => "saved" in o && o.saved.id === m.saved.id) !== i);
  if (duplicate) warnings.push(`The mix "${duplicate.name}" is named twice; it is trained once.`);
  const unique = mixes.filter((m, i) => !("saved" in m) || mixes.findIndex((o) => "saved" in o && o.saved.id === m.saved.id) === i);

  const items: PlannedItem[] = [];
  const methods = [...new Set(spec.grid.method)];
  unique.forEach((mix, mixIndex) => {
    for (const method of methods) {
      // A full fine-tune has no rank: one configuration whatever the grid's ranks.
      const ranks: Array<number | undefined> = method === "lora" && spec.grid.rank ? [...new Set(spec.grid.rank)] : [undefined];
      const steps: Array<number | undefined> = spec.grid.steps ? [...new Set(spec.grid.steps)] : [undefined];
      const rates = [...new Set(spec.grid.lr[method] ?? defaultLearningRates[method])];
      for (const rank of ranks) {
        for (const step of steps) {
          for (const lr of rates) {
            const input = {
              ...spec.train,
              model: modelRef,
              // The saved mix's id; a study's mix is named until it is saved at creation.
              mix: "saved" in mix ? mix.saved.id : mix.name,
              method,
              lr,
              ...(rank !== undefined ? { rank } : {}),
              ...(step !== undefined ? { steps: step } : {}),
            };
            const parsed = TrainConfigSchema.safeParse(input);
            const variant = [method === "lora" ? `lora r${parsed.data?.rank ?? rank}` : "full", ...(step !== undefined ? [`${step} steps`] : [])].join(" · ");
            const { configuration, label, runName } = itemNames(spec.name, mix.name, variant, lr);
            if (!parsed.success) {
              const issue = parsed.error.issues[0]!;
              const field = issue.path.join(".");
              const where = ["rank", "steps", "lr", "method"].includes(field) ? `grid.${field}` : `train.${field}`;
              throw new PolytuneError("experiment-invalid", `${label}: ${field || "settings"}: ${issue.message}.`, { where, hint: "Fix that setting in the experiment's train settings or grid." });
            }
            parsed.data.name = runName;
            items.push({ mix: mixIndex, configuration, label, variant, method, lr, settings: parsed.data });
          }
        }
      }
    }
  });
  const evalSuites = new Set(spec.eval.suites.map((s) => s.suite));
  for (const c of spec.lrChoice.criteria) {
    if (!evalSuites.has(c.suite)) warnings.push(`The learning-rate rule's criterion ${c.metric} (${c.suite}) names a suite the experiment does not evaluate; it is skipped.`);
    else if (c.metric === "relevance" && !spec.eval.judge) warnings.push("The learning-rate rule's criterion relevance needs a judge model; without one it is skipped.");
  }
  return { mixes: unique, items, warnings };
}
