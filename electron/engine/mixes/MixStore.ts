import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { MixCountsSchema, MixRecipeSchema, type Mix, type MixCounts, type MixRecipe } from "../../shared/mixContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { defaultMixName, mixFingerprint } from "./mixFingerprint.js";

interface MixRow {
  id: string;
  name: string;
  recipe_json: string;
  fingerprint: string;
  counts_json: string;
  created_at: string;
}

function toMix(r: MixRow): Mix {
  const recipe = MixRecipeSchema.safeParse(JSON.parse(r.recipe_json));
  if (!recipe.success) {
    throw new PolytuneError("mix-unreadable", `The stored recipe of mix ${r.id} does not parse: ${recipe.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`, {
      where: `mix ${r.id}`,
      hint: "Its row in polytune.db was changed outside Polytune; remove the mix and save the recipe again.",
    });
  }
  return { id: r.id, name: r.name, recipe: recipe.data, fingerprint: r.fingerprint, counts: MixCountsSchema.parse(JSON.parse(r.counts_json)), createdAt: r.created_at };
}

/** Saved mixes in SQLite: a recipe, its fingerprint and what it held when saved. */
export class MixStore {
  constructor(private readonly db: Database) {}

  list(): Mix[] {
    return (this.db.prepare("SELECT * FROM mixes ORDER BY created_at DESC, rowid DESC").all() as MixRow[]).map(toMix);
  }

  find(ref: string): Mix | null {
    const row = (this.db.prepare("SELECT * FROM mixes WHERE id = ?").get(ref) ?? this.db.prepare("SELECT * FROM mixes WHERE name = ?").get(ref)) as MixRow | undefined;
    return row ? toMix(row) : null;
  }

  /** A mix by id or name. */
  get(ref: string): Mix {
    const mix = this.find(ref);
    if (!mix) throw new PolytuneError("mix-not-found", `No mix "${ref}".`, { hint: "List mixes with `polytune mix list`." });
    return mix;
  }

  /**
   * Saves a recipe with what it holds. The same recipe saved again under the same name is the mix
   * already there; another recipe under a taken name gets a number ("Multi-3 (2)").
   */
  save(recipe: MixRecipe, counts: MixCounts): Mix {
    const fingerprint = mixFingerprint(recipe);
    const wanted = recipe.name ?? defaultMixName(recipe);
    return this.db.transaction(() => {
      const same = this.db.prepare("SELECT * FROM mixes WHERE fingerprint = ? AND name = ?").get(fingerprint, wanted) as MixRow | undefined;
      if (same) return toMix(same);
      const taken = this.db.prepare("SELECT 1 FROM mixes WHERE name = ?");
      let name = wanted;
      for (let n = 2; taken.get(name) !== undefined; n++) name = `${wanted} (${n})`;
      const id = randomUUID().slice(0, 8);
      const stored: MixRecipe = { ...recipe, name };
      this.db
        .prepare("INSERT INTO mixes (id, name, recipe_json, fingerprint, counts_json, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(id, name, JSON.stringify(stored), fingerprint, JSON.stringify(counts), new Date().toISOString());
      return this.get(id);
    })();
  }

  remove(ref: string): boolean {
    const mix = this.find(ref);
    return mix !== null && this.db.prepare("DELETE FROM mixes WHERE id = ?").run(mix.id).changes > 0;
  }
}
