// The one shape every scoring suite returns, so the CLI, the eval.score call and (later) the
// evaluation job print and store scores the same way whatever the suite.

/**
 * One scored item (a question, a sentence, a prompt). `scores` maps a reference metric name to the
 * item's value; each suite says in a comment whether it is 0/1 or 0–100 per item. `null` means the
 * metric could not be computed for this item (missing, not covered) — never read it as 0.
 */
export interface ItemScore {
  id: string;
  language: string | null;
  scores: Record<string, number | null>;
  detail?: Record<string, unknown>;
}

/** Mean of one metric over the items of one language (`null` = all languages), on a 0–100 scale. */
export interface Aggregate {
  language: string | null;
  metric: string;
  /** Items with a non-null value for this metric. */
  n: number;
  mean: number;
  /** 95% percentile-bootstrap interval over items; null when n < 2. */
  ci95: [number, number] | null;
}

/** An input item left out of scoring, with the reason (e.g. a gold answer missing or malformed). */
export interface Excluded {
  id: string;
  reason: string;
}

export interface SuiteScore {
  suite: string;
  items: ItemScore[];
  aggregates: Aggregate[];
  excluded: Excluded[];
  notes: string[];
}
