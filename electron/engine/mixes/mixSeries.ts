import type { MixRecipe, MixSeriesInputSchema } from "../../shared/mixContract.js";
import { mixRecipeVersion } from "../../shared/mixContract.js";
import type { z } from "zod";

type SeriesInput = z.output<typeof MixSeriesInputSchema>;

/**
 * The recipes of a whole comparison in one action: the Multi-i ladder (003 Table 3: Mono, Multi-2 …
 * Multi-k), or the fixed-budget ablations of 003 App. H (one budget over 1 … k languages; fixed
 * languages with a growing budget). Every recipe shares sources, filters and seed, so the rungs nest.
 */
export function mixSeries(input: SeriesInput): MixRecipe[] {
  const name = (text: string) => (input.prefix ? `${input.prefix} ${text}` : text);
  const recipe = (n: string, strategy: MixRecipe["strategy"]): MixRecipe => ({ version: mixRecipeVersion, name: name(n), sources: input.sources, filters: input.filters, seed: input.seed, strategy });
  const { base, total } = input;
  switch (input.kind) {
    case "multi-ladder":
      return [
        recipe("Mono", { kind: "mono", language: base, total }),
        ...input.languages.map((_, i) => recipe(`Multi-${i + 2}`, { kind: "multi", total, base, perLanguage: input.perLanguage, languages: input.languages.slice(0, i + 1) })),
      ];
    case "budget-over-languages":
      return input.languages.map((_, i) =>
        recipe(`Budget ${input.budget} over ${i + 1} language${i === 0 ? "" : "s"} (${input.languages.slice(0, i + 1).join(", ")})`, { kind: "fixed-budget", total, base, budget: input.budget, languages: input.languages.slice(0, i + 1) }),
      );
    case "growing-budget":
      return input.budgets.map((budget) => recipe(`${input.languages.join(", ")}: ${budget} non-${base}`, { kind: "fixed-budget", total, base, budget, languages: input.languages }));
  }
}
